package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only storage_type = compressed promises: savings in du, crash safety mid-write, EIO for damage. */
@ExtendWith(NoLeftovers.class)
class CompressedIT {
    static final List<String> CONFIG = List.of("storage_type = compressed", "chunk_size = 16K",
            "compression_type = zstd", "compression_level = 3");

    private static long du(Path p, boolean apparent) {
        String out = apparent ? Run.ok("du", "-B1", "--apparent-size", p.toString())
                : Run.ok("du", "-B1", p.toString());
        return Long.parseLong(out.split("\\s")[0]);
    }

    @Test
    void duShowsTheSavingsApparentSizeTheLogicalSize() throws Exception {
        try (Mounted fs = Mounted.start(CONFIG)) {
            Path src = fs.root.resolve("wal.txt");
            Run.sh("python3 -c \"import random\nr = random.Random(1)\n"
                    + "print('\\n'.join('INSERT INTO t VALUES (%d, %d, \\'name-%d\\');' % (i, r.randrange(99999), "
                    + "r.randrange(500)) for i in range(400000)))\" > " + src);
            Path f = fs.path("000000010000000000000001");
            Run.ok("cp", src.toString(), f.toString());
            Run.ok("sync", f.toString());
            assertEquals(Files.size(src), Files.size(f));
            assertEquals(Files.size(src), du(f, true), "du --apparent-size is the logical size");
            assertTrue(du(f, false) < Files.size(src) / 3, "du " + du(f, false) + " of " + Files.size(src));
            assertEquals(Run.ok("sha256sum", src.toString()).split(" ")[0], Run.ok("sha256sum", f.toString()).split(" ")[0]);
        }
    }

    /**
     * A writer overwrites self-describing 4 KiB blocks at random and fdatasyncs every few writes,
     * logging (outside the mount) what it synced; the daemon is killed -9 in the middle. After a
     * remount every block holds a version at least as new as its last synced one, and no read fails.
     */
    /**
     * Times a program sets stay set: a file written in small pieces is rewritten as whole chunks after
     * its close, and that housekeeping used to give it the mtime of the rewrite (cp -p and tar set times
     * through the handle before closing; here python does, and a name's utimensat after the close).
     */
    @Test
    void timesSetBeforeAndAfterTheCloseOutliveTheHousekeeping() throws Exception {
        try (Mounted fs = Mounted.start(CONFIG)) {
            String out = Py.eval(fs.mnt, String.join("\n",
                    "import time",
                    "for k in range(2):",
                    "    fd = os.open(d + '/t%d' % k, os.O_CREAT | os.O_WRONLY, 0o644)",
                    "    for i in range(96):",
                    "        os.write(fd, os.urandom(4096))",
                    "    if k == 0:",
                    "        os.utime(fd, (1000000000, 1000000000))",
                    "    os.close(fd)",
                    "    if k == 1:",
                    "        os.utime(d + '/t1', (1000000000, 1000000000))",
                    "seen = set()",
                    "end = time.time() + 2",
                    "while time.time() < end:",
                    "    seen |= {os.stat(d + '/t%d' % k).st_mtime for k in range(2)}",
                    "    time.sleep(0.05)",
                    "print(sorted(seen))"));
            assertEquals("[1000000000.0]", out.strip(), "the mtime as set, throughout");
        }
    }

    @Test
    void killDashNineDuringRandomWritesLosesNothingSyncedAndLeavesTheFileReadable() throws Exception {
        Mounted fs = Mounted.start(CONFIG);
        Path journal = fs.root.resolve("journal");
        String writer = "import os, random, struct, sys\n"
                + "f, journal = sys.argv[1], sys.argv[2]\n"
                + "r = random.Random(5)\n"
                + "fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)\n"
                + "j = open(journal, 'w')\n"
                + "v = 0\n"
                + "while True:\n"
                + "    v += 1\n"
                + "    b = r.randrange(512)\n"
                + "    os.pwrite(fd, struct.pack('<qq', b, v) * 256, b * 4096)\n"
                + "    if v % 8 == 0:\n"
                + "        os.fdatasync(fd)\n"
                + "        j.write('%d\\n' % v); j.flush()\n";
        Path script = fs.root.resolve("writer.py");
        Files.writeString(script, writer);
        Process p = new ProcessBuilder(Py.PYTHON, script.toString(), fs.path("data").toString(), journal.toString())
                .redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines(journal) < 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Run.ok("kill", "-9", Long.toString(fs.pid()));
            assertTrue(fs.process().waitFor(10, TimeUnit.SECONDS));
            p.waitFor(10, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
            fs.kill();
        }
        List<String> synced = Files.readAllLines(journal);
        long lastSynced = Long.parseLong(synced.get(synced.size() - 1).strip());
        // Replay the writer's random sequence to know each block's version at the last sync.
        Map<Integer, Long> atSync = new HashMap<>();
        String replay = Py.eval(fs.root, "import random\nr = random.Random(5)\n"
                + "print(' '.join(str(r.randrange(512)) for v in range(" + lastSynced + ")))");
        String[] blocks = replay.split(" ");
        for (int v = 1; v <= lastSynced; v++) {
            atSync.put(Integer.parseInt(blocks[v - 1]), (long) v);
        }
        try (Mounted again = Mounted.startOn(fs.root)) {
            byte[] data = Files.readAllBytes(again.path("data"));
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<Integer, Long> e : atSync.entrySet()) {
                int blk = e.getKey();
                long index = b.getLong(blk * 4096);
                long version = b.getLong(blk * 4096 + 8);
                assertEquals(blk, index, "block " + blk + " holds its own data");
                assertTrue(version >= e.getValue(), "block " + blk + " has version " + version + ", synced "
                        + e.getValue());
                for (int i = 0; i < 4096; i += 16) {
                    assertEquals(version, b.getLong(blk * 4096 + i + 8), "block " + blk + " is whole");
                }
            }
        }
    }

    private static long lines(Path p) throws Exception {
        return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    }

    /** A flipped byte in one stored chunk: EIO for that range only; the others still read. */
    @Test
    void aDamagedChunkIsEioForItsRangeOnly() throws Exception {
        Mounted fs = Mounted.start(CONFIG);
        Path root = fs.root;
        try {
            Py.eval(fs.mnt, "fd = os.open(d + '/f', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "for i in range(3):\n"
                    + "    os.pwrite(fd, (b'chunk %d ' % i) * 2048, i * 16384)\n"
                    + "os.fsync(fd)\nos.close(fd)");
        } finally {
            fs.close();
        }
        Path backing = root.resolve("base/f");
        try (RandomAccessFile raf = new RandomAccessFile(backing.toFile(), "rw")) {
            // File header (32 bytes), then one record per chunk: header (36 bytes, frame length at +20), frame.
            raf.seek(32 + 20);
            int first = Integer.reverseBytes(raf.readInt()) + 36;
            long target = 32 + first + 36 + 30;
            raf.seek(target);
            int v = raf.read();
            raf.seek(target);
            raf.write(v ^ 0x40);
        }
        try (Mounted again = Mounted.startOn(root)) {
            Path d = again.mnt;
            assertEquals("OK", Py.errno(d, "fd = os.open(d + '/f', os.O_RDONLY)\n"
                    + "assert os.pread(fd, 16384, 0) == b'chunk 0 ' * 2048\n"
                    + "assert os.pread(fd, 16384, 32768) == b'chunk 2 ' * 2048"));
            assertEquals("EIO", Py.errno(d, "fd = os.open(d + '/f', os.O_RDONLY | os.O_DIRECT)\n"
                    + "os.pread(fd, 4096, 16384)"));
            assertFalse(again.log().isEmpty(), "the damage is logged");
        }
    }

    @Test
    void fioVerifiesVariableSizedOverwritesOfCompressibleData() throws Exception {
        try (Mounted fs = Mounted.start(CONFIG)) {
            Run fio = Run.of("fio", "--verify_state_save=0", "--name=overwrite", "--directory=" + fs.mnt, "--size=24M", "--bsrange=1k-40k",
                    "--rw=randwrite", "--ioengine=psync", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                    "--buffer_compress_percentage=70", "--refill_buffers", "--fdatasync=16", "--randrepeat=0");
            assertEquals(0, fio.exit(), fio.output());
            assertTrue(fio.output().contains("err= 0"), fio.output());
            assertFalse(fio.output().contains("verify: bad"), fio.output());
        }
    }
}
