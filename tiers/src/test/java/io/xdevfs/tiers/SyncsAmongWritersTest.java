package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
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
        run(type, 3_000, VolumeModel::syncs, "syncs");
    }

    /**
     * The third thread reads the writers' files whole through handles of its own and stats them (the
     * read cache fills and is invalidated under the writers, a compressed file's chunks are read while
     * they are rewritten): no error, and the writers' own reads still match their models.
     */
    @ParameterizedTest
    @EnumSource(value = Type.class, names = {"REGULAR", "COMPRESSED", "TMPFS_INTENT_LOG"}) // the types with a cache of their own
    void readersAmongWritersSeeNoErrors(Type type) throws Exception {
        run(type, 2_000, VolumeModel::wholeReads, "reads");
    }

    private void run(Type type, int ops, java.util.function.Function<Volume, VolumeModel.Meddler> third, String what)
            throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        Path shm = type == Type.TMPFS_INTENT_LOG ? Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-model-") : null;
        try (Volume v = Volumes.open(config(type, shm), new FaultyPosix())) {
            long n = VolumeModel.twoWritersAnd(v, seed, ops, third.apply(v));
            System.out.println("SyncsAmongWritersTest " + type + ": " + n + " " + what + " (seed " + seed + ")");
            assertTrue(n > 0, "the third thread's " + what);
        } finally {
            removeTree(shm);
        }
    }

    private LocalConfig config(Type type, Path shm) {
        CompressionSettings c = LocalConfig.defaultCompression();
        LocalConfig config = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withCompression(new CompressionSettings(c.codec(), c.level(), 512, c.adaptive(), 16 << 10));
        if (type == Type.TMPFS_INTENT_LOG) {
            return config.withBaseDirectory(shm.resolve("base")).withStorageType(StorageType.TMPFS)
                    .withTmpfs(new TmpfsSettings(false, "", true, 3600, tmp.resolve("backup"), tmp.resolve("log"), 8L << 20));
        }
        return config.withStorageType(StorageType.valueOf(type.name()));
    }

    private static void removeTree(Path root) throws IOException {
        if (root == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
