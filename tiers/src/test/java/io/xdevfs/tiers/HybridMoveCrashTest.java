package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.hybrid.HybridVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A move between tiers killed at every system call it makes, in both directions, then a power cut
 * (unsynced bytes lost at random): the next mount finds every file readable with its synced bytes,
 * held by exactly one object in one tier, no copy left half-made, and the move either done or not.
 */
class HybridMoveCrashTest {
    @TempDir
    Path tmp;

    @Test
    void aMoveToColdKilledAtEveryStepLosesNothing() throws Exception {
        crashAtEveryStep("cold");
    }

    @Test
    void aMoveToHotKilledAtEveryStepLosesNothing() throws Exception {
        crashAtEveryStep("hot");
    }

    private static LocalConfig config(Path root) {
        LocalConfig d = LocalConfig.defaults().withBaseDirectory(root.resolve("base"));
        LocalConfig hot = d.withBaseDirectory(root.resolve("hot"));
        LocalConfig cold = d.withBaseDirectory(root.resolve("cold")).withStorageType(StorageType.COMPRESSED);
        return d.withHybrid(new HybridSettings(hot, cold, 64L << 20, 0, 3600, false, 100, 60, 64L << 20));
    }

    private void crashAtEveryStep(String to) throws Exception {
        int steps = 0;
        for (int k = 0; ; k++) {
            Path root = tmp.resolve(to + k);
            Random rnd = new Random(k);
            FaultyPosix posix = new FaultyPosix();
            Volume volume = Volumes.open(config(root), posix);
            byte[] segment = new byte[300_000 + rnd.nextInt(100_000)];
            rnd.nextBytes(segment);
            byte[] other = "untouched".getBytes(StandardCharsets.UTF_8);
            write(volume, "/seg", segment);
            write(volume, "/other", other);
            volume.syncDirectory("/");
            if (to.equals("hot")) {
                setTier(volume, "/seg", "cold");
            }
            posix.dieAfter(k);
            boolean finished;
            try {
                setTier(volume, "/seg", to);
                finished = true;
            } catch (IOException e) {
                finished = false;
            }
            posix.powerCut(root, rnd);

            Volume after = Volumes.open(config(root), new FaultyPosix());
            try {
                String at = "killed at call " + k + " of the move to " + to;
                assertArrayEquals(segment, read(after, "/seg"), at);
                assertArrayEquals(other, read(after, "/other"), at);
                List<String> objects = objects(root);
                assertEquals(2, objects.size(), at + ": one object per file, no part left: " + objects);
                assertEquals(2, objects.stream().distinct().count(), at + ": " + objects);
                if (finished) {
                    assertTrue(tier(after, "/seg").startsWith(to), tier(after, "/seg"));
                    break;
                }
                steps++;
            } finally {
                after.close();
            }
        }
        assertTrue(steps >= 5, "the move took " + steps + " calls: was it killed anywhere?");
    }

    private static void write(Volume v, String name, byte[] bytes) throws IOException {
        try (Content c = v.create(name, Flags.O_RDWR, 0644, null)) {
            c.write(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), 0);
            c.sync(false);
        }
    }

    private static byte[] read(Volume v, String name) throws IOException {
        try (Content c = v.open(name, Flags.O_RDONLY)) {
            int size = (int) c.attributes().size;
            ByteBuffer b = ByteBuffer.allocateDirect(size);
            c.read(b, 0);
            byte[] out = new byte[b.flip().remaining()];
            b.get(out);
            return out;
        }
    }

    private static void setTier(Volume v, String path, String tier) throws IOException {
        byte[] t = tier.getBytes(StandardCharsets.UTF_8);
        v.setxattr(path, HybridVolume.TIER_ATTRIBUTE, ByteBuffer.allocateDirect(t.length).put(t).flip(), 0);
    }

    private static String tier(Volume v, String path) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(200);
        int n = v.getxattr(path, HybridVolume.TIER_ATTRIBUTE, b);
        return StandardCharsets.UTF_8.decode(b.position(0).limit(n)).toString();
    }

    /** The object names (without the tier) in both tiers. */
    private static List<String> objects(Path root) throws IOException {
        try (Stream<Path> hot = Files.list(root.resolve("hot")); Stream<Path> cold = Files.list(root.resolve("cold"))) {
            return Stream.concat(hot, cold).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".xdevfs")).toList();
        }
    }
}
