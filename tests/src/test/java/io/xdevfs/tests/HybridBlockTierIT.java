package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hybrid whose cold tier is storage_type = block on a loop device: sealed files move onto the device
 * and back, keep their bytes and names through appends, renames, links and unlinks, survive kill -9 of
 * the daemon in the middle of moves (with the files stored as they are on the device, and compressed
 * there), and leave a device that fsck finds clean.
 */
@ExtendWith(NoLeftovers.class)
class HybridBlockTierIT {

    private static List<String> lines(Path root, String... more) {
        List<String> l = new ArrayList<>(List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = regular",
                "hot_directory = " + root.resolve("hot"), "cold_storage_type = block", "migration_interval_sec = 1"));
        l.addAll(List.of(more));
        return l;
    }

    private static String status(Mounted m) {
        return Mounted.cli("tier", "status", m.mnt.toString()).output();
    }

    @Test
    void sealedFilesMoveOntoTheDeviceAndBack() throws Exception {
        Path root = TestDirs.create();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 512L << 20)) {
            loop.format();
            List<String> config = lines(root, "cold_timeout_sec = 1");
            Mounted m = Mounted.onDevice(root, loop, config);
            m.loop = null; // detached here, after fsck
            List<String> sums = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Run.ok("dd", "if=/dev/urandom", "of=" + m.path("seg" + i), "bs=1M", "count=8", "conv=fsync",
                            "status=none");
                    sums.add(Run.sha256(m.path("seg" + i)));
                }
                for (int i = 0; i < 3; i++) {
                    HybridIT.awaitTier(m.path("seg" + i), "cold");
                    assertEquals(sums.get(i), Run.sha256(m.path("seg" + i)));
                }
                assertTrue(status(m).contains("cold: 3 files, 24.0 MiB"), status(m));
                Files.writeString(m.path("seg0"), "tail", java.nio.file.StandardOpenOption.APPEND);
                sums.set(0, Run.sha256(m.path("seg0")));
                Files.move(m.path("seg1"), m.path("renamed"));
                Files.createLink(m.path("link"), m.path("renamed"));
                Files.delete(m.path("renamed"));
                Run.ok("setfattr", "-n", "user.xdevfs.tier", "-v", "hot", m.path("seg2").toString());
                HybridIT.awaitTier(m.path("seg2"), "hot");
                assertEquals(sums.get(0), Run.sha256(m.path("seg0")));
                assertEquals(sums.get(1), Run.sha256(m.path("link")));
                assertEquals(sums.get(2), Run.sha256(m.path("seg2")));
            } finally {
                m.close();
            }
            Run fsck = loop.fsck();
            assertEquals(0, fsck.exit(), fsck.output());
            try (Mounted again = Mounted.onDevice(root, loop, config)) {
                again.loop = null;
                assertEquals(sums.get(0), Run.sha256(again.path("seg0")));
                assertEquals(sums.get(1), Run.sha256(again.path("link")));
                assertEquals(sums.get(2), Run.sha256(again.path("seg2")));
                try (var names = Files.list(again.mnt)) {
                    assertEquals(List.of("link", "seg0", "seg2"), names.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
        }
    }

    /**
     * kill -9 while files move between the tiers, then a remount: every file byte-exact, once; fsck clean.
     * Files on the device as they are, and compressed there (cold_enable_compression = true).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "cold_enable_compression = {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void killDuringMovesLosesNothing(boolean compressed) throws Exception {
        Path root = TestDirs.create();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 512L << 20)) {
            loop.format();
            List<String> config = lines(root, "auto_migration = false", "cold_enable_compression = " + compressed);
            List<String> sums = new ArrayList<>();
            try (Mounted m = Mounted.onDevice(root, loop, config)) {
                m.loop = null;
                for (int i = 0; i < 3; i++) {
                    Run.ok("dd", "if=/dev/urandom", "of=" + m.path("seg" + i), "bs=1M", "count=16", "conv=fsync",
                            "status=none");
                    sums.add(Run.sha256(m.path("seg" + i)));
                }
            }
            Random rnd = new Random(7);
            for (int round = 0; round < 4; round++) {
                Mounted m = Mounted.onDevice(root, loop, config);
                m.loop = null;
                HybridIT.killWhileMoving(m, rnd);
                try (Mounted again = Mounted.onDevice(root, loop, config)) {
                    again.loop = null;
                    for (int i = 0; i < 3; i++) {
                        assertEquals(sums.get(i), Run.sha256(again.path("seg" + i)), "round " + round + ": seg" + i);
                    }
                    String status = status(again);
                    assertTrue(status.matches("(?s).*hot: \\d+ files.*"), status);
                    int hot = Integer.parseInt(status.replaceAll("(?s).*hot: (\\d+) files.*", "$1"));
                    int cold = Integer.parseInt(status.replaceAll("(?s).*cold: (\\d+) files.*", "$1"));
                    assertEquals(3, hot + cold, "round " + round + ": one object per file: " + status);
                }
            }
            Run fsck = loop.fsck();
            assertEquals(0, fsck.exit(), fsck.output());
        }
    }
}
