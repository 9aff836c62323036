package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.hybrid.HybridVolume;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two writers running {@link VolumeModel} on a hybrid volume while a third thread moves their files
 * between the tiers without pause (user.xdevfs.tier, what `xdevfs tier pin` and the migrator do): every
 * read matches the model whatever tier the file is on and however a move meets the writes.
 */
class HybridMovesRandomModelTest {
    /** Each writer's operations: several hundred moves meet them. */
    private static final int OPS = Integer.getInteger("xdevfs.ops", 3_000);

    @TempDir
    Path tmp;

    /** The cold tier's type under a regular hot tier, or a tmpfs hot tier with an intent log over a compressed cold one. */
    enum Tiers { REGULAR, COMPRESSED, SPARSE, TMPFS_WITH_LOG_OVER_COMPRESSED }

    /** A tmpfs hot tier's base directory, in /dev/shm: removed after the test. */
    private Path shm;

    private LocalConfig config(Tiers tiers) throws java.io.IOException {
        LocalConfig d = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"));
        CompressionSettings c = LocalConfig.defaultCompression();
        LocalConfig coldTier = d.withBaseDirectory(tmp.resolve("cold"))
                .withStorageType(tiers == Tiers.TMPFS_WITH_LOG_OVER_COMPRESSED ? StorageType.COMPRESSED
                        : StorageType.valueOf(tiers.name()))
                .withCompression(new CompressionSettings(c.codec(), c.level(), 512, c.adaptive(), 16 << 10));
        LocalConfig hot = d.withBaseDirectory(tmp.resolve("hot"));
        if (tiers == Tiers.TMPFS_WITH_LOG_OVER_COMPRESSED) {
            shm = java.nio.file.Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-hot-");
            hot = hot.withBaseDirectory(shm.resolve("base")).withStorageType(StorageType.TMPFS)
                    .withTmpfs(new TmpfsSettings(false, "", true, 3600, tmp.resolve("backup"), tmp.resolve("log"), 8L << 20));
        }
        return d.withHybrid(new HybridSettings(hot, coldTier, 256L << 20, 0, 3600, false, 100, 60, 0));
    }

    @ParameterizedTest
    @EnumSource(Tiers.class)
    void filesMovedWhileTheyAreWrittenMatchTheModel(Tiers tiers) throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        try (Volume v = Volumes.open(config(tiers), new FaultyPosix())) {
            long moved = VolumeModel.twoWritersAnd(v, seed, OPS, (name, rnd) -> {
                byte[] tier = (rnd.nextBoolean() ? "hot" : "cold").getBytes(StandardCharsets.UTF_8);
                try {
                    v.setxattr(name, HybridVolume.TIER_ATTRIBUTE, ByteBuffer.allocateDirect(tier.length).put(tier).flip(), 0);
                } catch (PosixException e) {
                    if (e.errno() != Errno.EBUSY) { // kept changing during every try: the move gives up
                        throw e;
                    }
                }
            });
            System.out.println("HybridMovesRandomModelTest " + tiers + ": " + moved + " moves (seed " + seed + ")");
            assertTrue(moved > 0, "files were moved");
        }
    }

    @org.junit.jupiter.api.AfterEach
    void removeShm() throws java.io.IOException {
        if (shm != null) {
            try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(shm)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }
}
