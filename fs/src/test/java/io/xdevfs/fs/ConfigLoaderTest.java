package io.xdevfs.fs;

import io.xdevfs.fs.config.ConfigException;
import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.config.MonitoringConfig;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private Path ini(String text) throws Exception {
        return Files.writeString(tmp.resolve("x.ini"), text);
    }

    private List<String> problems(String text) throws Exception {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(ini(text))).problems();
    }

    /** Every key a storage type owns (StorageType#ownKeys), set for another type, names the type it is for. */
    @Test
    void everyTypesOwnKeysAreRefusedOnAnotherTypeNamingTheirType() throws Exception {
        String[] valid = {"mmap_size = 1M", "io_alignment = 4096", "tmpfs_size = 1G", "tmpfs_mount_options = mode=0700",
            "auto_mount = true", "backup_to_disk = false", "backup_interval_sec = 60", "backup_directory = /srv/b",
            "enable_sparse = true", "hole_detection_size = 4096", "zero_block_threshold = 1.0", "enable_compression = true",
            "compression_type = lz4", "compression_level = 1", "compression_threshold = 4K", "adaptive_compression = true",
            "chunk_size = 64K", "hot_storage_type = regular", "hot_directory = /srv/h", "hot_cache_size = 1G",
            "hot_access_threshold = 3", "cold_storage_type = sparse", "cold_directory = /srv/c", "cold_timeout_sec = 60",
            "cold_enable_compression = false", "auto_migration = false", "migration_batch_size = 10",
            "migration_interval_sec = 5", "migration_rate_limit = 16M", "intent_log_directory = /srv/log",
            "intent_log_size = 64M", "block_device = /dev/loop7", "sector_size = 512", "use_raw_device = true",
            "enable_trim = true", "queue_depth = 8"};
        int checked = 0;
        for (io.xdevfs.tiers.StorageType owner : io.xdevfs.tiers.StorageType.values()) {
            for (String key : owner.ownKeys()) {
                String line = java.util.Arrays.stream(valid).filter(l -> l.startsWith(key + " = ")).findFirst().orElseThrow();
                String section = owner == io.xdevfs.tiers.StorageType.TMPFS ? "[tmpfs]"
                        : owner == io.xdevfs.tiers.StorageType.HYBRID ? "[hybrid]"
                        : owner == io.xdevfs.tiers.StorageType.BLOCK ? "[block]" : "[local]";
                String other = owner == io.xdevfs.tiers.StorageType.REGULAR ? "sparse" : "regular";
                List<String> found = problems("[local]\nstorage_type = " + other + "\n" + section + "\n" + line + "\n");
                assertEquals(1, found.size(), key + ": " + found);
                String also = owner == io.xdevfs.tiers.StorageType.COMPRESSED ? ", or block with enable_compression = true"
                        : owner == io.xdevfs.tiers.StorageType.SPARSE ? ", or block with enable_sparse = true" : "";
                assertTrue(found.get(0).endsWith(key + ": applies only to storage_type = " + owner.configName() + also),
                        found.get(0));
                checked++;
            }
        }
        assertEquals(36, checked, "the keys of mmap, direct, tmpfs, block, sparse, compressed and hybrid");
    }

    @Test
    void aHybridsTmpfsHotTierTakesTheIntentLogFromHybridOrTmpfsButNotBoth() throws Exception {
        Path file = tmp.resolve("x.ini");
        String hybrid = """
                [local]
                storage_type = hybrid
                base_directory = /srv/names
                [hybrid]
                hot_storage_type = tmpfs
                hot_directory = /dev/shm/hot
                intent_log_directory = /srv/intent-log
                [tmpfs]
                backup_to_disk = true
                """;
        LocalConfig c = ConfigLoader.load(ini(hybrid));
        assertEquals(Path.of("/srv/intent-log"), c.hybrid().hot().tmpfs().intentLogDirectory());
        assertEquals(List.of(file + ":10: [tmpfs] intent_log_directory: set twice"),
                problems(hybrid + "intent_log_directory = /srv/other\n"));
        assertEquals(List.of(file + ":7: [hybrid] intent_log_directory: applies only to storage_type = tmpfs"),
                problems(hybrid.replace("hot_storage_type = tmpfs", "hot_storage_type = regular")
                        .replace("[tmpfs]\nbackup_to_disk = true\n", "")));
    }

    @Test
    void theIntentLogNeedsBackupsAndABoundAboveTheMinimum() throws Exception {
        Path file = tmp.resolve("x.ini");
        String durable = """
                [local]
                storage_type = tmpfs
                base_directory = /dev/shm/wal
                [tmpfs]
                backup_to_disk = true
                backup_directory = /srv/backup
                intent_log_directory = /srv/intent-log
                intent_log_size = 256M
                """;
        LocalConfig c = ConfigLoader.load(ini(durable));
        assertEquals(Path.of("/srv/intent-log"), c.tmpfs().intentLogDirectory());
        assertEquals(256L << 20, c.tmpfs().intentLogSize());
        assertEquals(16L << 20, c.tmpfs().intentLogSegmentSize());
        assertEquals(c, ConfigLoader.load(ini(ConfigLoader.render(ConfigLoader.loadAll(ini(durable))))),
                "config check prints the log's keys");
        assertEquals(List.of(file + ":4: [tmpfs] intent_log_directory: needs backup_to_disk = true (the backups are the "
                + "checkpoints that let the intent log be trimmed)"), problems("""
                [local]
                storage_type = tmpfs
                [tmpfs]
                intent_log_directory = /srv/intent-log
                """));
        assertEquals(List.of(file + ":5: [tmpfs] intent_log_size = '1M': expected a size of at least 32M"), problems("""
                [local]
                storage_type = tmpfs
                [tmpfs]
                backup_to_disk = true
                intent_log_size = 1M
                intent_log_directory = /srv/intent-log
                """));
        assertEquals(List.of(file + ":5: [tmpfs] intent_log_size: has an effect only with intent_log_directory"),
                problems("""
                [local]
                storage_type = tmpfs
                [tmpfs]
                backup_to_disk = true
                intent_log_size = 64M
                """));
    }

    @Test
    void readsTheSeedDialectWithCommentsAndQuotes() throws Exception {
        LocalConfig c = ConfigLoader.load(ini("""
                # WAL volume
                [local]
                base_directory = "/srv/wal"   # quoted
                storage_type = regular     ; trailing comment
                file_permissions = 0600
                dir_permissions = 700
                use_sync_writes = yes
                auto_create_dirs = false
                max_open_files = 4096
                """));
        assertEquals(new LocalConfig(Path.of("/srv/wal"), StorageType.REGULAR, 0600, 0700, true, false, 4096,
                Preallocation.NONE), c);
    }

    @Test
    void anEmptyFileMeansTheDefaults() throws Exception {
        assertEquals(LocalConfig.defaults(), ConfigLoader.load(ini("")));
    }

    @Test
    void hybridHoldsTwoTierConfigurationsBuiltFromTheOtherSections() throws Exception {
        Path file = tmp.resolve("h.ini");
        Files.writeString(file, """
                [local]
                base_directory = /srv/names
                storage_type = hybrid
                compression_type = zstd
                file_permissions = 0640
                [hybrid]
                hot_storage_type = tmpfs
                hot_directory = /dev/shm/wal-hot
                hot_cache_size = 128M
                cold_storage_type = compressed
                cold_directory = /srv/cold
                cold_timeout_sec = 30
                migration_rate_limit = 8M
                [tmpfs]
                auto_mount = true
                tmpfs_size = 256M
                """);
        LocalConfig c = ConfigLoader.load(file);
        assertEquals(StorageType.HYBRID, c.storageType());
        assertEquals(Path.of("/srv/names"), c.baseDirectory());
        HybridSettings h = c.hybrid();
        assertEquals(StorageType.TMPFS, h.hot().storageType());
        assertEquals(Path.of("/dev/shm/wal-hot"), h.hot().baseDirectory());
        assertTrue(h.hot().tmpfs().autoMount(), "[tmpfs] configures the tmpfs tier");
        assertEquals("size=268435456", h.hot().tmpfs().mountOptions());
        assertEquals(StorageType.COMPRESSED, h.cold().storageType());
        assertEquals("zstd", h.cold().compression().codec().name(), "the compression keys configure the compressed tier");
        assertEquals(0640, h.cold().filePermissions());
        assertEquals(128L << 20, h.hotCacheSize());
        assertEquals(30, h.coldTimeoutSec());
        assertEquals(8L << 20, h.migrationRateLimit());
        assertEquals(10, h.hotAccessThreshold(), "the seed's default");
        assertTrue(h.autoMigration());
        ConfigLoader.Config all = ConfigLoader.loadAll(file);
        assertEquals(all, ConfigLoader.loadAll(ini(ConfigLoader.render(all))), "config check prints what load reads");
    }

    @Test
    void hybridCombinationsThatCannotWorkAreRefused() throws Exception {
        Path file = tmp.resolve("x.ini");
        List<String> p = problems("""
                [local]
                base_directory = /srv/names
                storage_type = hybrid
                compression_type = zstd
                [hybrid]
                hot_storage_type = regular
                hot_directory = /srv/names/hot
                cold_storage_type = sparse
                cold_directory = /srv/cold
                cold_enable_compression = true
                [tmpfs]
                auto_mount = true
                """);
        assertEquals(List.of(
                file + ":12: [tmpfs] auto_mount: applies only to storage_type = tmpfs",
                file + ":4: [local] compression_type: applies only to storage_type = compressed, or block with "
                        + "enable_compression = true",
                file + ":10: [hybrid] cold_enable_compression = true: needs cold_storage_type = compressed, or block "
                        + "for compressed files on the device (it is sparse)",
                file + ":7: [hybrid] hot_directory: base_directory (/srv/names) and hot_directory (/srv/names/hot) must be "
                        + "separate directories, neither inside the other"), p);
        assertTrue(problems("""
                [local]
                storage_type = hybrid
                [hybrid]
                cold_storage_type = hybrid
                """).contains(file + ":4: [hybrid] cold_storage_type = 'hybrid': expected a single-tier storage type: one "
                + "of regular, mmap, direct, tmpfs, sparse, compressed, block"));
        assertEquals(List.of(file + ":2: [hybrid] hot_cache_size: applies only to storage_type = hybrid"),
                problems("""
                [hybrid]
                hot_cache_size = 1G
                """));
    }

    /**
     * The directories a mount owns stay apart: a hot tier's backups inside the base directory showed up
     * on the mount as a directory anyone with access could change; a log inside the cold tier's
     * directory sat among objects named by file id; a backup inside the tmpfs it copies is in memory.
     */
    @Test
    void backupAndLogDirectoriesStayOutOfTheBaseAndTierDirectories() throws Exception {
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(
                file + ":10: [tmpfs] backup_directory: base_directory (/srv/names) and backup_directory "
                        + "(/srv/names/backup) must be separate directories, neither inside the other",
                file + ":11: [tmpfs] intent_log_directory: cold_directory (/srv/cold) and intent_log_directory "
                        + "(/srv/cold/log) must be separate directories, neither inside the other"), problems("""
                [local]
                base_directory = /srv/names
                storage_type = hybrid
                [hybrid]
                hot_directory = /srv/hot
                cold_directory = /srv/cold
                [tmpfs]
                auto_mount = true
                backup_to_disk = true
                backup_directory = /srv/names/backup
                intent_log_directory = /srv/cold/log
                """));
        assertEquals(List.of(file + ":5: [tmpfs] intent_log_directory: base_directory (/srv/mem) and intent_log_directory "
                + "(/srv/mem/log) must be separate directories, neither inside the other"), problems("""
                [local]
                base_directory = /srv/mem
                storage_type = tmpfs
                [tmpfs]
                intent_log_directory = /srv/mem/log
                backup_to_disk = true
                backup_directory = /srv/copies
                """));
        assertEquals(List.of(file + ":4: [tmpfs] intent_log_directory: backup_directory (/srv/b) and intent_log_directory "
                + "(/srv/b/log) must be separate directories, neither inside the other"), problems(
                "[local]\nstorage_type = tmpfs\n[tmpfs]\nintent_log_directory = /srv/b/log\nbackup_to_disk = true\n"
                        + "backup_directory = /srv/b\n"));
    }

    @Test
    void theBlockSectionConfiguresStorageTypeBlockAndOnlyIt() throws Exception {
        io.xdevfs.tiers.BlockSettings b = ConfigLoader.load(ini("[local]\nstorage_type = block\n[block]\n"
                + "block_device = /dev/loop7\nenable_trim = false\nqueue_depth = 4\n")).block();
        assertEquals(new io.xdevfs.tiers.BlockSettings(Path.of("/dev/loop7"), 0, true, false, 4), b);
        ConfigLoader.Config all = ConfigLoader.loadAll(ini("[local]\nstorage_type = block\nenable_xattr = false\n"
                + "[block]\nblock_device = /dev/loop7\nsector_size = 4096\n"));
        assertEquals(all, ConfigLoader.loadAll(ini(ConfigLoader.render(all))), "config check prints what load reads");
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ": storage_type = block needs [block] block_device (a device formatted with "
                + "xdevfs format)"), problems("[local]\nstorage_type = block\n"));
        assertEquals(List.of(file + ":2: [local] base_directory: does not apply to storage_type = block (its files "
                + "live on block_device)"), problems("[local]\nbase_directory = /srv/x\nstorage_type = block\n"
                + "[block]\nblock_device = /dev/loop7\n"));
        assertEquals(List.of(file + ":4: [block] sector_size = '1024': expected 512 or 4096"),
                problems("[local]\nstorage_type = block\n[block]\nsector_size = 1024\nblock_device = /dev/loop7\n"));
        // A block tier of a hybrid: the device comes from [block]; base_directory is the namespace's.
        assertEquals(List.of(file + ": storage_type = block needs [block] block_device (a device formatted with "
                + "xdevfs format)"), problems("[hybrid]\ncold_storage_type = block\n[local]\nstorage_type = hybrid\n"));
        var tiered = ConfigLoader.load(ini("[local]\nbase_directory = /srv/names\nstorage_type = hybrid\n[hybrid]\n"
                + "hot_storage_type = regular\nhot_directory = /srv/hot\ncold_storage_type = block\n"
                + "[block]\nblock_device = /dev/loop7\n")).hybrid();
        assertEquals(Path.of("/dev/loop7"), tiered.cold().block().device());
        assertEquals(null, tiered.hot().block());
        assertEquals(List.of(file + ":5: [hybrid] cold_storage_type: only one tier can be block (one [block] section "
                + "names one device)"), problems("[local]\nstorage_type = hybrid\n[hybrid]\nhot_storage_type = block\n"
                + "cold_storage_type = block\n[block]\nblock_device = /dev/loop7\n"));
    }

    @Test
    void theFilesOnABlockDeviceAreStoredCompressedOrSparseWhenAsked() throws Exception {
        Path file = tmp.resolve("x.ini");
        String device = "[block]\nblock_device = /dev/loop7\n";
        io.xdevfs.tiers.LocalConfig compressed = ConfigLoader.load(ini("[local]\nstorage_type = block\n"
                + "enable_compression = true\ncompression_type = zstd\ncompression_level = 3\n" + device));
        assertEquals(io.xdevfs.tiers.StorageType.COMPRESSED, compressed.block().files());
        assertEquals("zstd", compressed.compression().codec().name());
        assertEquals(3, compressed.compression().level());
        assertTrue(compressed.cache().readCache(), "decompressed chunks are cached, as on storage_type = compressed");
        ConfigLoader.Config all = ConfigLoader.loadAll(ini("[local]\nstorage_type = block\nenable_compression = true\n"
                + "chunk_size = 64K\n" + device));
        assertEquals(all, ConfigLoader.loadAll(ini(ConfigLoader.render(all))), "config check prints what load reads");
        assertTrue(ConfigLoader.render(all).contains("# files on the device: compressed"), ConfigLoader.render(all));
        assertEquals(io.xdevfs.tiers.StorageType.SPARSE, ConfigLoader.load(ini("[local]\nstorage_type = block\n"
                + "enable_sparse = true\nhole_detection_size = 64K\n" + device)).block().files());
        assertEquals(io.xdevfs.tiers.StorageType.REGULAR, ConfigLoader.load(ini("[local]\nstorage_type = block\n"
                + "enable_compression = false\n" + device)).block().files());
        assertEquals(List.of(file + ":4: [local] enable_sparse = true: the files on block_device are stored one way, and "
                + "enable_compression = true stores them compressed (compressed files keep holes too)"),
                problems("[local]\nstorage_type = block\nenable_compression = true\nenable_sparse = true\n" + device));
        assertEquals(List.of(file + ":3: [local] compression_type: applies only to storage_type = compressed, or block "
                + "with enable_compression = true"),
                problems("[local]\nstorage_type = block\ncompression_type = zstd\n" + device));
        assertEquals(List.of(file + ":3: [local] use_direct_io = true: a block volume's data I/O is O_DIRECT already "
                + "([block] use_raw_device = true, the default)", file + ":4: [local] use_mmap = true: a block volume's "
                + "files cannot be mapped (they are xdevfs's own, no kernel file is behind them; storage_type = mmap maps "
                + "files of a base directory)"), problems("[local]\nstorage_type = block\nuse_direct_io = true\n"
                + "use_mmap = true\n" + device));
        // A hybrid's cold tier on the device: cold_enable_compression stores its files compressed there.
        var tiered = ConfigLoader.load(ini("[local]\nbase_directory = /srv/names\nstorage_type = hybrid\n"
                + "compression_type = zstd\n[hybrid]\nhot_storage_type = regular\nhot_directory = /srv/hot\n"
                + "cold_storage_type = block\ncold_enable_compression = true\n" + device)).hybrid();
        assertEquals(io.xdevfs.tiers.StorageType.COMPRESSED, tiered.cold().block().files());
        assertEquals("zstd", tiered.cold().compression().codec().name());
        assertEquals(List.of(file + ":7: [hybrid] cold_enable_compression = true: needs cold_storage_type = compressed, "
                + "or block for compressed files on the device (it is sparse)"), problems("[local]\nstorage_type = "
                + "hybrid\n[hybrid]\nhot_storage_type = regular\nhot_directory = /srv/hot\ncold_storage_type = sparse\n"
                + "cold_enable_compression = true\n"));
    }

    @Test
    void everyProblemNamesFileLineKeyAndWhatIsAllowed() throws Exception {
        Path file = tmp.resolve("x.ini");
        List<String> p = problems("""
                [local]
                storage_type = blocks
                file_permissions = 0999
                use_sync_writes = maybe
                max_open_files = 0
                base_directory = relative/path
                use_aio = true
                colour = blue
                [tuning]
                target_iops = 1000
                [nonsense]
                x = 1
                use_sync_writes
                """);
        assertEquals(List.of(
                file + ":13: expected 'key = value', found 'use_sync_writes'",
                file + ":2: [local] storage_type = 'blocks': expected one of regular, mmap, direct, tmpfs, block, sparse, compressed, hybrid",
                file + ":3: [local] file_permissions = '0999': expected an octal mode from 0000 to 7777, e.g. 0644",
                file + ":4: [local] use_sync_writes = 'maybe': expected true or false",
                file + ":5: [local] max_open_files = '0': expected an integer from 1 to 1000000",
                file + ":6: [local] base_directory = 'relative/path': expected an absolute path",
                file + ":7: [local] use_aio: not used by xdevfs: each FUSE request is answered by a synchronous system call on the daemon's own thread, so kernel AIO would overlap nothing; remove the line",
                file + ":8: [local] colour: unknown key (supported keys in [local]: base_directory, storage_type, "
                        + "file_permissions, dir_permissions, use_sync_writes, auto_create_dirs, max_open_files, "
                        + "use_fallocate, preallocate_files, default_file_size, extent_size, enable_sparse, "
                        + "hole_detection_size, zero_block_threshold, enable_compression, compression_type, "
                        + "compression_level, compression_threshold, adaptive_compression, chunk_size, enable_read_cache, "
                        + "enable_write_cache, cache_size, cache_ttl, use_direct_io, io_alignment, use_mmap, mmap_size, read_ahead_kb, "
                        + "enable_page_cache, enable_xattr, fuse_passthrough, fuse_handle_killpriv, fuse_attr_timeout, "
                        + "fuse_writeback_cache, fuse_parallel_dirops, fuse_async_dio, fuse_cache_symlinks, fuse_sync_threads)",
                file + ":10: [tuning] target_iops: not supported yet by this version of xdevfs; remove the line",
                file + ":12: [nonsense] x: unknown section [nonsense] (known: block, hybrid, local, monitoring, "
                        + "recovery, tmpfs, tuning)"), p);
    }

    @Test
    void everySeedKeyIsEitherAppliedOrRejectedAsNotSupportedYet() throws Exception {
        String seed = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../build/seed-keys.txt"));
        for (String line : seed.strip().split("\n")) {
            String[] sk = line.split(" ");
            Path file = ini("[" + sk[0] + "]\n" + sk[1] + " = 1\n");
            try {
                ConfigLoader.load(file);
            } catch (ConfigException e) {
                String problem = e.problems().get(0);
                assertTrue(!problem.contains("unknown"), sk[1] + " -> " + problem);
            }
        }
    }

    @Test
    void sparseKeysApplyToTheSparseTypeOnly() throws Exception {
        LocalConfig c = ConfigLoader.load(ini("""
                [local]
                storage_type = sparse
                enable_sparse = true
                hole_detection_size = 64K
                zero_block_threshold = 1.0
                """));
        assertEquals(StorageType.SPARSE, c.storageType());
        assertEquals(65536, c.holeBlockSize());
        assertEquals(c, ConfigLoader.load(ini(ConfigLoader.render(c))));
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":3: [local] zero_block_threshold = '0.95': only 1.0 is supported: a block "
                + "becomes a hole only when every byte is zero, so no written byte is ever lost"),
                problems("[local]\nstorage_type = sparse\nzero_block_threshold = 0.95\n"));
        assertEquals(List.of(file + ":2: [local] hole_detection_size = '3000': expected a power of two from 512 to 1M, "
                + "e.g. 4096"), problems("[local]\nhole_detection_size = 3000\nstorage_type = sparse\n"));
        assertEquals(List.of(file + ":2: [local] enable_sparse: applies only to storage_type = sparse, or block with enable_sparse "
                + "= true"),
                problems("[local]\nenable_sparse = true\n"));
        assertEquals(List.of(file + ":3: [local] enable_sparse = false: contradicts storage_type = sparse "
                + "(leave it out or true)"), problems("[local]\nstorage_type = sparse\nenable_sparse = false\n"));
        assertEquals(List.of(file + ":3: [local] extent_size: preallocation and storage_type = sparse work against "
                + "each other; use one"), problems("[local]\nstorage_type = sparse\nextent_size = 1M\n"));
    }

    @Test
    void directAndMmapKeysConfirmTheirTypeAndNeverContradictIt() throws Exception {
        LocalConfig d = ConfigLoader.load(ini("[local]\nstorage_type = direct\nuse_direct_io = true\nio_alignment = 512\n"));
        assertEquals(StorageType.DIRECT, d.storageType());
        assertEquals(512, d.io().ioAlignment());
        assertEquals(d, ConfigLoader.load(ini(ConfigLoader.render(d))));
        LocalConfig m = ConfigLoader.load(ini("[local]\nstorage_type = mmap\nuse_mmap = yes\nmmap_size = 16M\n"));
        assertEquals(16L << 20, m.io().mmapWindow());
        assertEquals(m, ConfigLoader.load(ini(ConfigLoader.render(m))));
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":2: [local] use_direct_io = true: set storage_type = direct instead (it is regular)"),
                problems("[local]\nuse_direct_io = true\n"));
        assertEquals(List.of(file + ":3: [local] use_mmap = false: contradicts storage_type = mmap (leave it out or true)"),
                problems("[local]\nstorage_type = mmap\nuse_mmap = false\n"));
        assertEquals(List.of(file + ":2: [local] io_alignment = '1000': expected a power of two from 512 to 64K, e.g. 4096"),
                problems("[local]\nio_alignment = 1000\nstorage_type = direct\n"));
        assertEquals(List.of(file + ":2: [local] mmap_size: applies only to storage_type = mmap"),
                problems("[local]\nmmap_size = 64M\n"));
    }

    @Test
    void compressionKeysApplyToTheCompressedTypeWithCheckedLevels() throws Exception {
        LocalConfig c = ConfigLoader.load(ini("""
                [local]
                storage_type = compressed
                enable_compression = true
                compression_type = zstd
                compression_level = 19
                compression_threshold = 1K
                adaptive_compression = false
                chunk_size = 128K
                cache_size = 32M
                cache_ttl = 60
                enable_write_cache = true
                """));
        assertEquals(StorageType.COMPRESSED, c.storageType());
        assertEquals("zstd", c.compression().codec().name());
        assertEquals(19, c.compression().level());
        assertEquals(1024, c.compression().threshold());
        assertEquals(false, c.compression().adaptive());
        assertEquals(128 * 1024, c.compression().chunkSize());
        assertEquals(new io.xdevfs.tiers.CacheSettings(true, true, 32L << 20, 60), c.cache(),
                "the chunk cache is on by default for compressed files");
        assertEquals(c, ConfigLoader.load(ini(ConfigLoader.render(c))));
        assertEquals(3, ConfigLoader.load(ini("[local]\nstorage_type = compressed\ncompression_type = zstd\n"))
                .compression().level(), "a codec without a level gets that codec's default");
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":3: [local] compression_type = 'lzma': expected one of none, lz4, zstd, snappy, "
                + "gzip, brotli"), problems("[local]\nstorage_type = compressed\ncompression_type = lzma\n"));
        assertEquals(List.of(file + ":4: [local] compression_level = 12: gzip levels are 1 to 9"),
                problems("[local]\nstorage_type = compressed\ncompression_type = gzip\ncompression_level = 12\n"));
        assertEquals(List.of(file + ":3: [local] compression_level = 2: snappy levels are 0 to 0 (it has no levels)"),
                problems("[local]\nstorage_type = compressed\ncompression_level = 2\ncompression_type = snappy\n"));
        assertEquals(List.of(file + ":3: [local] chunk_size = '3000': expected a power of two from 4K to 1M, e.g. 64K"),
                problems("[local]\nstorage_type = compressed\nchunk_size = 3000\n"));
        assertEquals(List.of(file + ":2: [local] compression_type: applies only to storage_type = compressed, or block with "
                + "enable_compression = true"),
                problems("[local]\ncompression_type = lz4\n"));
        assertEquals(List.of(file + ":3: [local] enable_compression = false: contradicts storage_type = compressed "
                + "(leave it out or true)"), problems("[local]\nstorage_type = compressed\nenable_compression = false\n"));
        assertEquals(List.of(file + ":3: [local] extent_size: storage_type = compressed cannot reserve space ahead "
                + "(compressed sizes are not known in advance); remove it"),
                problems("[local]\nstorage_type = compressed\nextent_size = 1M\n"));
    }

    @Test
    void cacheKeysDefaultByTypeAndAreChecked() throws Exception {
        assertEquals(new io.xdevfs.tiers.CacheSettings(false, false, 128L << 20, 300), ConfigLoader.load(ini("")).cache(),
                "regular files rely on the page cache by default");
        LocalConfig c = ConfigLoader.load(ini("[local]\nenable_read_cache = true\ncache_size = 1G\ncache_ttl = 0\n"));
        assertEquals(new io.xdevfs.tiers.CacheSettings(true, false, 1L << 30, 0), c.cache());
        assertEquals(c, ConfigLoader.load(ini(ConfigLoader.render(c))));
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":2: [local] cache_size: has no effect with enable_read_cache = false (the default "
                + "for storage_type = regular)"), problems("[local]\ncache_size = 64M\n"));
        assertEquals(List.of(file + ":2: [local] enable_write_cache = true: needs enable_read_cache = true (written "
                + "blocks go to the read cache)"), problems("[local]\nenable_write_cache = true\n"));
    }

    @Test
    void monitoringKeysAreAppliedAndChecked() throws Exception {
        ConfigLoader.Config c = ConfigLoader.loadAll(ini("""
                [monitoring]
                enable_metrics = true
                metrics_interval_sec = 0
                log_slow_operations = true
                slow_operation_threshold_ms = 25
                enable_health_check = false
                health_check_interval_sec = 5
                metrics_port = 9464
                """));
        assertEquals(new MonitoringConfig(true, 0, true, 25, false, 5, 9464), c.monitoring());
        assertEquals(c, ConfigLoader.loadAll(ini(ConfigLoader.render(c))));
        assertEquals(MonitoringConfig.defaults(), ConfigLoader.loadAll(ini("")).monitoring());
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":3: [monitoring] metrics_port: needs enable_metrics = true"),
                problems("[monitoring]\nenable_metrics = false\nmetrics_port = 9000\n"));
        assertEquals(List.of(file + ":2: [monitoring] metrics_port = '70000': expected an integer from 0 to 65535"),
                problems("[monitoring]\nmetrics_port = 70000\n"));
        assertEquals(List.of(file + ":2: [monitoring] colour: unknown key (supported keys in [monitoring]: "
                + "enable_metrics, metrics_interval_sec, log_slow_operations, slow_operation_threshold_ms, "
                + "enable_health_check, health_check_interval_sec, metrics_port)"), problems("[monitoring]\ncolour = 1\n"));
    }

    @Test
    void kernelFastPathsDefaultOnAndTheirSwitchesRoundTrip() throws Exception {
        ConfigLoader.Config d = ConfigLoader.loadAll(ini(""));
        assertEquals(io.xdevfs.fs.config.FusePassthrough.AUTO, d.kernel().passthrough());
        assertTrue(d.kernel().handleKillPriv());
        ConfigLoader.Config off = ConfigLoader.loadAll(ini("[local]\nfuse_passthrough = false\nfuse_handle_killpriv = no\n"));
        assertEquals(io.xdevfs.fs.config.FusePassthrough.OFF, off.kernel().passthrough());
        assertEquals(false, off.kernel().handleKillPriv());
        assertEquals(off, ConfigLoader.loadAll(ini(ConfigLoader.render(off))));
        ConfigLoader.Config on = ConfigLoader.loadAll(ini("[local]\nfuse_passthrough = true\n"));
        assertEquals(io.xdevfs.fs.config.FusePassthrough.ON, on.kernel().passthrough());
        assertEquals(on, ConfigLoader.loadAll(ini(ConfigLoader.render(on))));
        assertEquals(List.of(tmp.resolve("x.ini") + ":2: [local] fuse_passthrough = 'sometimes': expected auto, true or false"),
                problems("[local]\nfuse_passthrough = sometimes\n"));
    }

    @Test
    void theKernelFlagsRoundTripAndTheWritebackCacheRefusesWhatItCannotCombineWith() throws Exception {
        assertEquals(io.xdevfs.fs.config.KernelOptions.DEFAULTS, ConfigLoader.loadAll(ini("")).kernel());
        ConfigLoader.Config flipped = ConfigLoader.loadAll(ini("[local]\nfuse_writeback_cache = true\n"
                + "fuse_parallel_dirops = false\nfuse_async_dio = false\nfuse_cache_symlinks = false\n"
                + "fuse_sync_threads = 0\n"));
        assertEquals(new io.xdevfs.fs.config.KernelOptions(io.xdevfs.fs.config.FusePassthrough.AUTO, true, 1000, true,
                false, false, false, 0), flipped.kernel());
        assertEquals(flipped, ConfigLoader.loadAll(ini(ConfigLoader.render(flipped))));
        String file = tmp.resolve("x.ini").toString();
        assertEquals(List.of(file + ":3: [local] fuse_writeback_cache = true: excludes fuse_passthrough = true (the kernel "
                        + "opens no file in passthrough on a mount with the writeback cache); set fuse_passthrough = auto "
                        + "or false"),
                problems("[local]\nfuse_passthrough = true\nfuse_writeback_cache = true\n"));
        assertEquals(List.of(file + ":2: [local] fuse_writeback_cache = true: has no effect with enable_page_cache = false "
                        + "(every write goes straight to the daemon); remove one of the two"),
                problems("[local]\nfuse_writeback_cache = on\nenable_page_cache = false\n"));
        assertEquals(List.of(file + ":3: [local] fuse_passthrough = true: storage_type = block keeps files in its own "
                        + "layout on the device, with no backing file the kernel could read or write; set "
                        + "fuse_passthrough = auto or false"),
                problems("[local]\nstorage_type = block\nfuse_passthrough = true\n[block]\nblock_device = /dev/loop7\n"));
        assertEquals(List.of(file + ":2: [local] fuse_sync_threads = '65': expected an integer from 0 to 64"),
                problems("[local]\nfuse_sync_threads = 65\n"));
    }

    @Test
    void theAttributeTimeoutIsSecondsToTheMillisecondAndRoundTrips() throws Exception {
        assertEquals(1000, ConfigLoader.loadAll(ini("")).kernel().attrTimeoutMillis());
        ConfigLoader.Config half = ConfigLoader.loadAll(ini("[local]\nfuse_attr_timeout = 0.25\n"));
        assertEquals(250, half.kernel().attrTimeoutMillis());
        assertEquals(half, ConfigLoader.loadAll(ini(ConfigLoader.render(half))));
        assertEquals(0, ConfigLoader.loadAll(ini("[local]\nfuse_attr_timeout = 0\n")).kernel().attrTimeoutMillis());
        String expected = tmp.resolve("x.ini") + ":2: [local] fuse_attr_timeout = '%s': expected seconds from 0 to 3600 "
                + "(in steps of 0.001)";
        for (String bad : List.of("-1", "1s", "0.0005", "3601")) {
            assertEquals(List.of(String.format(expected, bad)), problems("[local]\nfuse_attr_timeout = " + bad + "\n"));
        }
    }

    @Test
    void extendedAttributesAreOnUnlessSwitchedOffAndTheSwitchRoundTrips() throws Exception {
        assertTrue(ConfigLoader.loadAll(ini("")).xattrs());
        ConfigLoader.Config off = ConfigLoader.loadAll(ini("[local]\nenable_xattr = false\n"));
        assertEquals(false, off.xattrs());
        assertEquals(off, ConfigLoader.loadAll(ini(ConfigLoader.render(off))));
        assertEquals(List.of(tmp.resolve("x.ini") + ":2: [local] enable_xattr = 'off please': expected true or false"),
                problems("[local]\nenable_xattr = off please\n"));
    }

    @Test
    void duplicateKeysAreErrors() throws Exception {
        assertTrue(problems("[local]\nmax_open_files = 5\nmax_open_files = 6\n").get(0).endsWith("max_open_files: set twice"));
    }

    @Test
    void renderPrintsWhatLoadReads() throws Exception {
        LocalConfig c = new LocalConfig(Path.of("/data"), StorageType.REGULAR, 0640, 0750, true, false, 9,
                new Preallocation(16 << 20, 1 << 20));
        assertEquals(c, ConfigLoader.load(ini(ConfigLoader.render(c))));
        assertEquals(LocalConfig.defaults(), ConfigLoader.load(ini(ConfigLoader.render(LocalConfig.defaults()))));
    }

    @Test
    void preallocationKeysTakeSizesWithSuffixes() throws Exception {
        LocalConfig c = ConfigLoader.load(ini("""
                [local]
                preallocate_files = true
                default_file_size = 16M
                extent_size = 1GiB
                use_fallocate = true
                """));
        assertEquals(new Preallocation(16L << 20, 1L << 30), c.preallocation());
        assertEquals(new Preallocation(0, 65536), ConfigLoader.load(ini("[local]\nextent_size = 65536\n")).preallocation());
    }

    @Test
    void preallocationKeysThatWouldDoNothingAreErrors() throws Exception {
        Path file = tmp.resolve("x.ini");
        assertEquals(List.of(file + ":2: [local] default_file_size: has no effect without preallocate_files = true"),
                problems("[local]\ndefault_file_size = 1G\n"));
        assertEquals(List.of(file + ":2: [local] preallocate_files: needs default_file_size (e.g. 16M) to preallocate"),
                problems("[local]\npreallocate_files = true\n"));
        assertEquals(List.of(file + ":2: [local] use_fallocate = false: xdevfs preallocates only with fallocate(2); "
                        + "remove preallocate_files and extent_size or set use_fallocate = true"),
                problems("[local]\nuse_fallocate = false\nextent_size = 64M\n"));
        assertEquals(List.of(file + ":2: [local] extent_size = '12Q': expected a size in bytes, or with a K, M, G or T "
                + "suffix (e.g. 64M)"), problems("[local]\nextent_size = 12Q\n"));
    }
}
