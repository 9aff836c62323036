package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.block.BlockCheck;
import io.xdevfs.tiers.block.BlockImages;
import io.xdevfs.tiers.block.BlockVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The block volume's crash safety at every system call: a workload of fsync'd writes and namespace
 * changes is stopped after its n-th call (for every n), the device file loses what it had not
 * fsync'ed, and then a new mount finds every acknowledged fsync's bytes and names, and fsck finds the
 * volume clean.
 */
class BlockCrashTest {
    @TempDir
    Path tmp;

    private LocalConfig config(Path device) {
        return LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4));
    }

    private Path freshDevice(String name) throws Exception {
        return BlockImages.formatted(tmp.resolve(name), 24L << 20); // small: a power cut copies the whole image
    }

    /** What the workload had acknowledged when it stopped: names and their synced bytes, names synced away. */
    private static final class Acknowledged {
        final Map<String, byte[]> files = new HashMap<>();
        final java.util.Set<String> gone = new java.util.HashSet<>();
        /** What a file holds if an overwrite not yet synced reached the device. */
        final Map<String, byte[]> maybe = new HashMap<>();
    }

    private static void workload(Volume v, Acknowledged ack) throws IOException {
        Random rnd = new Random(7);
        v.mkdir("/d", 0755, null);
        for (int i = 0; i < 3; i++) {
            byte[] data = new byte[5000 + rnd.nextInt(20000)];
            rnd.nextBytes(data);
            try (Content c = v.create("/d/f" + i, Flags.O_RDWR, 0644, null)) {
                c.write(ByteBuffer.wrap(data), 0);
                c.sync(false);
                v.syncDirectory("/d");
                ack.files.put("/d/f" + i, data);
                byte[] tail = new byte[3000];
                rnd.nextBytes(tail);
                byte[] more = Arrays.copyOf(data, data.length + tail.length);
                System.arraycopy(tail, 0, more, data.length, tail.length);
                c.write(ByteBuffer.wrap(more, data.length, 3000), data.length);
                c.sync(true);
                ack.files.put("/d/f" + i, more);
                for (int k = 0; k < 2; k++) { // overwrites in place: the first makes the unit dirty
                    byte[] over = new byte[9000];
                    rnd.nextBytes(over);
                    more = more.clone();
                    System.arraycopy(over, 0, more, 100 + k * 50, over.length);
                    ack.maybe.put("/d/f" + i, more);
                    c.write(ByteBuffer.wrap(over), 100 + k * 50);
                    c.sync(true);
                    ack.files.put("/d/f" + i, more);
                    ack.maybe.remove("/d/f" + i);
                }
            }
        }
        v.rename("/d/f0", "/d/g0", 0);
        v.syncDirectory("/d");
        ack.files.put("/d/g0", ack.files.remove("/d/f0"));
        ack.gone.add("/d/f0");
        v.unlink("/d/f1");
        v.syncDirectory("/d");
        ack.files.remove("/d/f1");
        ack.gone.add("/d/f1");
        v.link("/d/f2", "/d/h2");
        v.syncDirectory("/d");
        ack.files.put("/d/h2", ack.files.get("/d/f2"));
        try (Content c = v.open("/d/f2", Flags.O_RDWR)) {
            c.truncate(100);
            c.sync(false);
        }
        ack.files.put("/d/f2", Arrays.copyOf(ack.files.get("/d/f2"), 100));
        ack.files.put("/d/h2", ack.files.get("/d/f2"));
    }

    private static boolean eachByteFromOneOf(byte[] now, byte[] before, byte[] after, int length) {
        for (int i = 0; i < length; i++) {
            if (now[i] != before[i] && now[i] != after[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyAcknowledgedSyncSurvivesACrashAtAnyCall() throws Exception {
        Path probe = freshDevice("probe.img");
        FaultyPosix counting = new FaultyPosix();
        counting.dieAfter(Integer.MAX_VALUE);
        try (Volume v = BlockVolume.open(counting, config(probe), true)) {
            workload(v, new Acknowledged());
        }
        int calls = counting.dieAfter(Integer.MAX_VALUE);
        // 20 crash points a run, a random phase apart from run to run, so that runs together cover every call.
        int step = Math.max(1, (calls + 19) / 20);
        int phase = Integer.getInteger("xdevfs.crashPhase", new java.util.Random().nextInt(step));
        System.out.println("BlockCrashTest crash points " + (1 + phase) + ", +" + step + " ... of " + calls
                + " calls (replay with -Dxdevfs.crashPhase=" + phase + ")");
        for (int n = 1 + phase; n < calls; n += step) {
            Path device = freshDevice("crash" + n + ".img");
            FaultyPosix posix = new FaultyPosix();
            Acknowledged ack = new Acknowledged();
            Volume v = BlockVolume.open(posix, config(device), true);
            posix.dieAfter(n);
            try {
                workload(v, ack);
            } catch (IOException stopped) {
                // the machine stopped here
            }
            posix.powerCut(tmp, new Random(n));
            try (Volume after = BlockVolume.open(Posix.get(), config(device), true)) {
                for (Map.Entry<String, byte[]> e : ack.files.entrySet()) {
                    // bytes written after the last acknowledged sync may or may not be there, and so may the
                    // rename of f0 and the unlink of f1 that followed it
                    String name = e.getKey();
                    if (!exists(after, name) && name.equals("/d/f0")) {
                        name = "/d/g0";
                    }
                    if (!exists(after, name) && name.equals("/d/f1")) {
                        continue;
                    }
                    byte[] now = read(after, name);
                    int common = Math.min(now.length, e.getValue().length);
                    if (!name.endsWith("2")) { // the truncate of f2 (h2) to 100 bytes may be there unacknowledged
                        assertTrue(now.length >= e.getValue().length, "stopped after call " + n + ": " + name);
                    }
                    byte[] overwritten = ack.maybe.get(e.getKey());
                    if (overwritten != null && eachByteFromOneOf(now, e.getValue(), overwritten, common)) {
                        continue; // the overwrite in flight reached the device, maybe torn
                    }
                    assertArrayEquals(Arrays.copyOf(e.getValue(), common), Arrays.copyOf(now, common),
                            "stopped after call " + n + ": " + e.getKey());
                }
                for (String gone : ack.gone) {
                    assertThrows(IOException.class, () -> after.getattr(gone), "stopped after call " + n + ": " + gone);
                }
            }
            BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
            assertEquals(BlockCheck.CLEAN, report.exitCode(), "stopped after call " + n + ": " + report.lines());
            Files.delete(device);
        }
    }

    /**
     * A checkpoint (here the one at unmount) stopped at each of its calls: slot written or not, flushed or
     * not, superblock written or torn: the next mount finds everything that was synced before it.
     */
    @Test
    void aCheckpointStoppedAtAnyCallLosesNothing() throws Exception {
        for (int n = 1; n <= 8; n++) {
            Path device = freshDevice("checkpoint" + n + ".img");
            FaultyPosix posix = new FaultyPosix();
            Acknowledged ack = new Acknowledged();
            Volume v = BlockVolume.open(posix, config(device), true);
            workload(v, ack);
            posix.dieAfter(n);
            try {
                v.close();
            } catch (IOException stopped) {
                // the machine stopped inside the checkpoint
            }
            posix.powerCut(tmp, new Random(n));
            try (Volume after = BlockVolume.open(Posix.get(), config(device), true)) {
                for (Map.Entry<String, byte[]> e : ack.files.entrySet()) {
                    assertArrayEquals(e.getValue(), read(after, e.getKey()), "stopped after call " + n + ": " + e.getKey());
                }
                for (String gone : ack.gone) {
                    assertThrows(IOException.class, () -> after.getattr(gone), "stopped after call " + n + ": " + gone);
                }
            }
            BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
            assertEquals(BlockCheck.CLEAN, report.exitCode(), "stopped after call " + n + ": " + report.lines());
            Files.delete(device);
        }
    }

    private static boolean exists(Volume v, String path) {
        try {
            v.getattr(path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] read(Volume v, String path) throws IOException {
        try (Content c = v.open(path, Flags.O_RDONLY)) {
            ByteBuffer b = ByteBuffer.allocate((int) c.attributes().size);
            c.read(b, 0);
            return b.array();
        }
    }
}
