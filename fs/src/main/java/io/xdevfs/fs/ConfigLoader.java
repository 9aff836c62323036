package io.xdevfs.fs;

import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.IoSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.TmpfsSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the seed's INI file into a {@link LocalConfig}. Every key the seed documents is either
 * applied or rejected as "not supported yet"; unknown sections and keys and bad values are errors
 * naming file, line, key and what is allowed. All problems are reported together.
 */
final class ConfigLoader {

    /** Seed keys this build does not implement yet, by section. */
    private static final Map<String, Set<String>> NOT_YET = Map.of(
            "local", Set.of(),
            "hybrid", Set.of("hot_storage_type", "hot_directory", "hot_cache_size", "hot_access_threshold",
                    "cold_storage_type", "cold_directory", "cold_timeout_sec", "cold_enable_compression",
                    "auto_migration", "migration_batch_size", "migration_interval_sec"),
            "tmpfs", Set.of(),
            "block", Set.of("block_device", "sector_size", "use_raw_device", "enable_trim", "queue_depth"),
            "tuning", Set.of("enable_auto_tuning", "tuning_interval_sec", "target_latency_us", "target_iops",
                    "target_cache_hit_ratio"),
            "recovery", Set.of("enable_checkpoints", "checkpoint_interval_sec", "checkpoint_directory",
                    "max_retries", "retry_delay_ms", "exponential_backoff", "enable_checksums",
                    "enable_redundancy", "redundancy_factor"),
            "monitoring", Set.of());

    /** Seed keys of [local] that have no meaning in xdevfs, with the reason. */
    private static final Map<String, String> NEVER = Map.of(
            "use_aio", "not used by xdevfs: each FUSE request is answered by a synchronous system call on the "
                    + "daemon's own thread, so kernel AIO would overlap nothing",
            "max_events", "not used by xdevfs: it sizes the kernel AIO queue of use_aio, which xdevfs does not use");

    private static final List<String> LOCAL_KEYS = List.of("base_directory", "storage_type", "file_permissions",
            "dir_permissions", "use_sync_writes", "auto_create_dirs", "max_open_files", "use_fallocate",
            "preallocate_files", "default_file_size", "extent_size", "enable_sparse", "hole_detection_size",
            "zero_block_threshold", "enable_compression", "compression_type", "compression_level",
            "compression_threshold", "adaptive_compression", "chunk_size", "enable_read_cache", "enable_write_cache",
            "cache_size", "cache_ttl", "use_direct_io", "io_alignment", "use_mmap", "mmap_size", "read_ahead_kb",
            "enable_page_cache", "enable_xattr");

    /**
     * The whole file: {@code [local]} and {@code [monitoring]}, and three settings of the mount itself:
     * the kernel's readahead ({@code read_ahead_kb}; -1 leaves the kernel's default), whether the
     * kernel caches file pages of the mount at all ({@code enable_page_cache}) and whether the mount
     * serves extended attributes ({@code enable_xattr}).
     */
    record Config(LocalConfig local, MonitoringConfig monitoring, int readAheadKb, boolean pageCache, boolean xattrs) {
        static Config defaults() {
            return new Config(LocalConfig.defaults(), MonitoringConfig.defaults(), -1, true, true);
        }
    }

    /** Why a file cannot be read, in the words of strerror ("No such file or directory", ...). */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    static LocalConfig load(Path file) throws ConfigException {
        return loadAll(file).local();
    }

    static Config loadAll(Path file) throws ConfigException {
        IniFile ini;
        try {
            ini = IniFile.read(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read the configuration: " + reason(e)));
        }
        List<String> problems = new ArrayList<>(ini.errors);
        LocalConfig d = LocalConfig.defaults();
        Path base = d.baseDirectory();
        StorageType type = d.storageType();
        int fileMode = d.filePermissions();
        int dirMode = d.dirPermissions();
        boolean sync = d.useSyncWrites();
        boolean autoCreate = d.autoCreateDirs();
        int maxOpen = d.maxOpenFiles();
        int readAhead = -1;
        boolean pageCache = true;
        boolean xattrs = true;
        boolean useFallocate = true;
        boolean preallocateFiles = false;
        long defaultFileSize = 0;
        long extentSize = 0;
        Boolean enableSparse = null;
        int holeBlock = LocalConfig.DEFAULT_HOLE_BLOCK_SIZE;
        Map<String, String> where = new java.util.HashMap<>();
        CompressionKeys compression = new CompressionKeys();
        MonitoringKeys monitoring = new MonitoringKeys();
        TmpfsKeys tmpfs = new TmpfsKeys();
        // Sections other than [local] whose keys are parsed by their own class.
        Map<String, Map.Entry<List<String>, java.util.function.BiConsumer<String, String>>> sections = Map.of(
                "monitoring", Map.entry(MonitoringKeys.KEYS, monitoring::parse),
                "tmpfs", Map.entry(TmpfsKeys.KEYS, tmpfs::parse));
        CacheKeys cache = new CacheKeys();
        IoKeys io = new IoKeys();

        for (IniFile.Entry e : ini.entries) {
            String at = ini.where(e.line()) + ": [" + e.section() + "] " + e.key();
            if (!NOT_YET.containsKey(e.section())) {
                problems.add(at + ": unknown section [" + e.section() + "] (known: " + knownSections() + ")");
                continue;
            }
            if (NEVER.containsKey(e.key()) && e.section().equals("local")) {
                problems.add(at + ": " + NEVER.get(e.key()) + "; remove the line");
                continue;
            }
            if (NOT_YET.get(e.section()).contains(e.key())) {
                problems.add(at + ": not supported yet by this version of xdevfs; remove the line");
                continue;
            }
            Map.Entry<List<String>, java.util.function.BiConsumer<String, String>> section = sections.get(e.section());
            if (section != null) {
                if (!section.getKey().contains(e.key())) {
                    problems.add(at + ": unknown key (supported keys in [" + e.section() + "]: "
                            + String.join(", ", section.getKey()) + ")");
                } else if (where.putIfAbsent(e.key(), at) != null) {
                    problems.add(at + ": set twice");
                } else {
                    try {
                        section.getValue().accept(e.key(), e.value());
                    } catch (IllegalArgumentException bad) {
                        problems.add(at + " = '" + e.value() + "': " + bad.getMessage());
                    }
                }
                continue;
            }
            if (!e.section().equals("local") || !LOCAL_KEYS.contains(e.key())) {
                problems.add(at + ": unknown key (supported keys in [local]: " + String.join(", ", LOCAL_KEYS) + ")");
                continue;
            }
            if (where.putIfAbsent(e.key(), at) != null) {
                problems.add(at + ": set twice");
                continue;
            }
            try {
                switch (e.key()) {
                    case "base_directory":
                        base = absolutePath(e.value());
                        break;
                    case "storage_type":
                        type = storageType(e.value());
                        break;
                    case "file_permissions":
                        fileMode = Values.octalMode(e.value());
                        break;
                    case "dir_permissions":
                        dirMode = Values.octalMode(e.value());
                        break;
                    case "use_sync_writes":
                        sync = Values.bool(e.value());
                        break;
                    case "auto_create_dirs":
                        autoCreate = Values.bool(e.value());
                        break;
                    case "max_open_files":
                        maxOpen = Values.integer(e.value(), 1, 1_000_000);
                        break;
                    case "read_ahead_kb":
                        readAhead = Values.integer(e.value(), 0, 1 << 20);
                        break;
                    case "enable_page_cache":
                        pageCache = Values.bool(e.value());
                        break;
                    case "enable_xattr":
                        xattrs = Values.bool(e.value());
                        break;
                    case "use_fallocate":
                        useFallocate = Values.bool(e.value());
                        break;
                    case "preallocate_files":
                        preallocateFiles = Values.bool(e.value());
                        break;
                    case "default_file_size":
                        defaultFileSize = Values.size(e.value());
                        break;
                    case "extent_size":
                        extentSize = Values.size(e.value());
                        break;
                    case "enable_sparse":
                        enableSparse = Values.bool(e.value());
                        break;
                    case "hole_detection_size":
                        holeBlock = holeBlockSize(e.value());
                        break;
                    case "zero_block_threshold":
                        zeroBlockThreshold(e.value());
                        break;
                    default:
                        if (CacheKeys.KEYS.contains(e.key())) {
                            cache.parse(e.key(), e.value());
                        } else if (IoKeys.KEYS.contains(e.key())) {
                            io.parse(e.key(), e.value());
                        } else {
                            compression.parse(e.key(), e.value());
                        }
                }
            } catch (IllegalArgumentException bad) {
                problems.add(at + " = '" + e.value() + "': " + bad.getMessage());
            }
        }
        // Preallocation keys only work together; a combination that would do nothing is an error, not ignored.
        if (defaultFileSize > 0 && !preallocateFiles) {
            problems.add(where.get("default_file_size") + ": has no effect without preallocate_files = true");
        }
        if (preallocateFiles && defaultFileSize == 0) {
            problems.add(where.get("preallocate_files") + ": needs default_file_size (e.g. 16M) to preallocate");
        }
        if (!useFallocate && (preallocateFiles || extentSize > 0)) {
            problems.add(where.get("use_fallocate") + " = false: xdevfs preallocates only with fallocate(2); "
                    + "remove preallocate_files and extent_size or set use_fallocate = true");
        }
        boolean sparse = type == StorageType.SPARSE;
        if (sparse && Boolean.FALSE.equals(enableSparse)) {
            problems.add(where.get("enable_sparse") + " = false: contradicts storage_type = sparse (leave it out or true)");
        }
        for (String key : List.of("enable_sparse", "hole_detection_size", "zero_block_threshold")) {
            if (!sparse && where.containsKey(key)) {
                problems.add(where.get(key) + ": applies only to storage_type = sparse");
            }
        }
        if (sparse && (preallocateFiles || extentSize > 0)) {
            problems.add(where.get(preallocateFiles ? "preallocate_files" : "extent_size")
                    + ": preallocation and storage_type = sparse work against each other; use one");
        }
        boolean compressed = type == StorageType.COMPRESSED;
        if (compressed && (preallocateFiles || extentSize > 0)) {
            problems.add(where.get(preallocateFiles ? "preallocate_files" : "extent_size")
                    + ": storage_type = compressed cannot reserve space ahead (compressed sizes are not known "
                    + "in advance); remove it");
        }
        CompressionSettings settings = compression.settings(compressed, where, problems);
        MonitoringConfig monitor = monitoring.config(where, problems);
        CacheSettings caching = cache.settings(type, where, problems);
        IoSettings ioSettings = io.settings(type, where, problems);
        TmpfsSettings tmpfsSettings = tmpfs.settings(type, where, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(new LocalConfig(base, type, fileMode, dirMode, sync, autoCreate, maxOpen,
                new Preallocation(preallocateFiles ? defaultFileSize : 0, extentSize), holeBlock, settings, caching, ioSettings, tmpfsSettings), monitor, readAhead, pageCache,
                xattrs);
    }

    private static Path absolutePath(String v) {
        if (!v.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path");
        }
        return Path.of(v).normalize();
    }

    private static int holeBlockSize(String v) {
        long n = Values.size(v);
        if (n < 512 || n > (1 << 20) || Long.bitCount(n) != 1) {
            throw new IllegalArgumentException("expected a power of two from 512 to 1M, e.g. 4096");
        }
        return (int) n;
    }

    /** The seed's "95% zero is a hole" would turn non-zero bytes into zeros: only 1.0 keeps data. */
    private static void zeroBlockThreshold(String v) {
        double t;
        try {
            t = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            t = Double.NaN;
        }
        if (t != 1.0) {
            throw new IllegalArgumentException("only 1.0 is supported: a block becomes a hole only when every "
                    + "byte is zero, so no written byte is ever lost");
        }
    }

    private static StorageType storageType(String v) {
        StorageType t = StorageType.byName(v).orElseThrow(() -> new IllegalArgumentException(
                "expected one of regular, mmap, direct, tmpfs, block, sparse, compressed, hybrid"));
        if (!t.implemented) {
            throw new IllegalArgumentException("not supported yet (supported now: " + StorageType.implementedNames() + ")");
        }
        return t;
    }

    private static String knownSections() {
        return String.join(", ", new java.util.TreeSet<>(NOT_YET.keySet()));
    }

    /** The effective configuration as INI text, for {@code xdevfs config check}. */
    static String render(Config c) {
        return render(c.local()) + (c.readAheadKb() >= 0 ? "read_ahead_kb = " + c.readAheadKb() + "\n" : "")
                + "enable_page_cache = " + c.pageCache() + "\n"
                + "enable_xattr = " + c.xattrs() + "\n"
                + TmpfsKeys.render(c.local().storageType(), c.local().tmpfs())
                + MonitoringKeys.render(c.monitoring());
    }

    static String render(LocalConfig c) {
        return "[local]\n"
                + "base_directory = " + c.baseDirectory() + "\n"
                + "storage_type = " + c.storageType().configName() + "\n"
                + "file_permissions = " + String.format("%04o", c.filePermissions()) + "\n"
                + "dir_permissions = " + String.format("%04o", c.dirPermissions()) + "\n"
                + "use_sync_writes = " + c.useSyncWrites() + "\n"
                + "auto_create_dirs = " + c.autoCreateDirs() + "\n"
                + "max_open_files = " + c.maxOpenFiles() + "\n"
                + "preallocate_files = " + (c.preallocation().initialBytes() > 0) + "\n"
                + (c.preallocation().initialBytes() > 0
                        ? "default_file_size = " + c.preallocation().initialBytes() + "\n" : "")
                + "extent_size = " + c.preallocation().extentBytes() + "\n"
                + (c.storageType() == StorageType.SPARSE ? "hole_detection_size = " + c.holeBlockSize() + "\n" : "")
                + (c.storageType() == StorageType.COMPRESSED ? CompressionKeys.render(c.compression()) : "")
                + IoKeys.render(c.storageType(), c.io())
                + CacheKeys.render(c.cache());
    }

    private ConfigLoader() {
    }
}
