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
    /** Each writer's operations: about a thousand moves meet them. */
    private static final int OPS = Integer.getInteger("xdevfs.ops", 5_000);

    @TempDir
    Path tmp;

    enum Cold { REGULAR, COMPRESSED, SPARSE }

    private LocalConfig config(Cold cold) {
        LocalConfig d = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"));
        CompressionSettings c = LocalConfig.defaultCompression();
        LocalConfig coldTier = d.withBaseDirectory(tmp.resolve("cold")).withStorageType(StorageType.valueOf(cold.name()))
                .withCompression(new CompressionSettings(c.codec(), c.level(), 512, c.adaptive(), 16 << 10));
        return d.withHybrid(new HybridSettings(d.withBaseDirectory(tmp.resolve("hot")), coldTier,
                256L << 20, 0, 3600, false, 100, 60, 0));
    }

    @ParameterizedTest
    @EnumSource(Cold.class)
    void filesMovedWhileTheyAreWrittenMatchTheModel(Cold cold) throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        try (Volume v = Volumes.open(config(cold), new FaultyPosix())) {
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
            System.out.println("HybridMovesRandomModelTest " + cold + ": " + moved + " moves (seed " + seed + ")");
            assertTrue(moved > 0, "files were moved");
        }
    }
}
