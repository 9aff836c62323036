package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each single-tier type over a directory, with two writers running {@link VolumeModel} while a third
 * thread opens their files, syncs and closes them (a database's checkpointer; with fuse_sync_threads
 * syncs run beside the request thread, and a last close hands the compactor its work): the syncs
 * change nothing any reader sees.
 */
class SyncsAmongWritersTest {
    @TempDir
    Path tmp;

    /** The types, and tmpfs with backups and a small intent log (every sync logged, a full log a backup). */
    enum Type { REGULAR, COMPRESSED, SPARSE, DIRECT, MMAP, TMPFS_INTENT_LOG }

    @ParameterizedTest
    @EnumSource(Type.class)
    void syncsAmongWritersChangeNothingTheyRead(Type type) throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        CompressionSettings c = LocalConfig.defaultCompression();
        LocalConfig config = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withCompression(new CompressionSettings(c.codec(), c.level(), 512, c.adaptive(), 16 << 10));
        Path shm = null;
        if (type == Type.TMPFS_INTENT_LOG) {
            shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-syncs-");
            config = config.withBaseDirectory(shm.resolve("base")).withStorageType(StorageType.TMPFS)
                    .withTmpfs(new TmpfsSettings(false, "", true, 3600, tmp.resolve("backup"), tmp.resolve("log"), 8L << 20));
        } else {
            config = config.withStorageType(StorageType.valueOf(type.name()));
        }
        try (Volume v = Volumes.open(config, new FaultyPosix())) {
            long syncs = VolumeModel.twoWritersAnd(v, seed, 3_000, (name, rnd) -> {
                try (Content content = v.open(name, Flags.O_RDWR)) {
                    content.sync(rnd.nextBoolean());
                }
            });
            System.out.println("SyncsAmongWritersTest " + type + ": " + syncs + " syncs (seed " + seed + ")");
            assertTrue(syncs > 0, "the third thread synced");
        } finally {
            if (shm != null) {
                try (Stream<Path> all = Files.walk(shm)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
