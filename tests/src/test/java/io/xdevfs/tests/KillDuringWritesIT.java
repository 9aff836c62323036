package io.xdevfs.tests;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 of the daemon in the middle of random 4 KiB overwrites, a fifth of them zeros (holes on the
 * sparse type), with an fdatasync every 8 writes. These types keep nothing in the daemon: a write it
 * acknowledged is in the kernel's page cache or on the disk already, so after a remount every block
 * holds exactly its last acknowledged write, synced or not. The one write in flight at the kill may
 * be absent, present or, per 16-byte record, a mix of both.
 */
@ExtendWith(NoLeftovers.class)
class KillDuringWritesIT {
    private static final int BLOCKS = 512;
    private static final int BLOCK = 4096;
    private static final String WRITER = "import os, random, struct, sys\n"
            + "f, journal = sys.argv[1], sys.argv[2]\n"
            + "r = random.Random(11)\n"
            + "fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)\n"
            + "j = open(journal, 'w')\n"
            + "v = 0\n"
            + "while True:\n"
            + "    v += 1\n"
            + "    b = r.randrange(" + BLOCKS + ")\n"
            + "    data = bytes(" + BLOCK + ") if v % 5 == 0 else struct.pack('<qq', b, v) * " + (BLOCK / 16) + "\n"
            + "    os.pwrite(fd, data, b * " + BLOCK + ")\n"
            + "    j.write('%d\\n' % v); j.flush()\n"
            + "    if v % 8 == 0:\n"
            + "        os.fdatasync(fd)\n";

    @ParameterizedTest(name = "storage_type = {0}")
    @ValueSource(strings = {"regular", "sparse", "mmap", "direct"})
    void everyAcknowledgedWriteSurvivesAndOnlyTheOneInFlightMayBeTorn(String type) throws Exception {
        Mounted fs = Mounted.start(List.of("storage_type = " + type));
        Path journal = fs.root.resolve("journal");
        Path script = fs.root.resolve("writer.py");
        Files.writeString(script, WRITER);
        Process writer = new ProcessBuilder(Py.PYTHON, script.toString(), fs.path("data").toString(),
                journal.toString()).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines(journal) < 3000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(writer.isAlive(), "the writer is still writing when the daemon dies");
            Run.ok("kill", "-9", Long.toString(fs.pid()));
            assertTrue(fs.process().waitFor(10, TimeUnit.SECONDS));
            assertTrue(writer.waitFor(10, TimeUnit.SECONDS), "the writer sees the mount go away");
        } finally {
            writer.destroyForcibly();
            fs.kill();
        }
        List<String> done = Files.readAllLines(journal);
        int acknowledged = Integer.parseInt(done.get(done.size() - 1).strip());
        int inFlight = acknowledged + 1;
        String[] order = Py.eval(fs.root, "import random\nr = random.Random(11)\n"
                + "print(' '.join(str(r.randrange(" + BLOCKS + ")) for v in range(" + inFlight + ")))").strip().split(" ");
        Map<Integer, Integer> last = new HashMap<>(); // block -> version of its last acknowledged write
        for (int v = 1; v <= acknowledged; v++) {
            last.put(Integer.parseInt(order[v - 1]), v);
        }
        int inFlightBlock = Integer.parseInt(order[inFlight - 1]);

        try (Mounted again = Mounted.startOn(fs.root)) {
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(again.path("data"))).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<Integer, Integer> e : last.entrySet()) {
                int block = e.getKey();
                for (int at = block * BLOCK; at < (block + 1) * BLOCK; at += 16) {
                    long index = data.getLong(at);
                    long version = data.getLong(at + 8);
                    boolean expected = matches(index, version, block, e.getValue());
                    boolean fromInFlight = block == inFlightBlock && matches(index, version, block, inFlight);
                    if (!expected && !fromInFlight) {
                        fail(type + ": block " + block + " at byte " + (at - block * BLOCK) + " holds (" + index
                                + ", " + version + "); its last acknowledged write is version " + e.getValue()
                                + " of " + acknowledged + (block == inFlightBlock ? ", in flight " + inFlight : ""));
                    }
                }
            }
            assertEquals(data.capacity(), Files.size(again.base.resolve("data")), "stat and content agree");
        }
    }

    /** Whether a 16-byte record is what version {@code v} wrote into {@code block} (zeros every fifth). */
    private static boolean matches(long index, long version, int block, int v) {
        return v % 5 == 0 ? index == 0 && version == 0 : index == block && version == v;
    }

    private static long lines(Path p) throws Exception {
        return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    }
}
