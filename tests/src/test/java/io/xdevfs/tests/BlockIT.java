package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * storage_type = block on loop devices, end to end with the CLI: format and its refusals, kill -9 during
 * fdatasync'd appends (every acknowledged byte back, fsck clean), bit flips found (EIO on read, fsck),
 * a damaged superblock copy, a full device, and TRIM punching holes in the loop's backing file.
 */
@ExtendWith(NoLeftovers.class)
class BlockIT {
    private static final List<String> BLOCK = List.of("storage_type = block");

    private static Path root() throws Exception {
        return TestDirs.create();
    }

    @Test
    void formatAndMountRefuseWhatTheyMust() throws Exception {
        Path root = root();
        Run notBlock = Mounted.cli("format", Files.createFile(root.resolve("plain")).toString());
        assertEquals(1, notBlock.exit(), notBlock.output());
        assertTrue(notBlock.output().contains("not a block device (ENOTBLK)"), notBlock.output());
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            Run.ok("mkfs.ext4", "-q", "-F", loop.device.toString());
            Run ext4 = Mounted.cli("format", loop.device.toString());
            assertEquals(1, ext4.exit(), ext4.output());
            assertTrue(ext4.output().contains("holds an ext2/ext3/ext4 filesystem") && ext4.output().contains("--force"),
                    ext4.output());
            Run.ok("wipefs", "-a", "-q", loop.device.toString());
            Mounted unformatted = null;
            try {
                unformatted = Mounted.onDevice(root, loop, BLOCK);
            } catch (AssertionError expected) {
                assertTrue(expected.getMessage().contains("no valid xdevfs superblock")
                        && expected.getMessage().contains("run xdevfs format"), expected.getMessage());
            }
            assertEquals(null, unformatted, "an unformatted device mounted");
            String out = loop.format("--label", "wal", "--unit", "4M");
            assertTrue(out.matches("(?s).*268435456 bytes, 512-byte sectors, \\d+ allocation units of 4 MiB.*"), out);
            Run again = Mounted.cli("format", loop.device.toString());
            assertTrue(again.exit() == 1 && again.output().contains("holds an xdevfs volume"), again.output());
            Mounted m = Mounted.onDevice(root, loop, BLOCK);
            m.loop = null; // this test detaches it
            try {
                Run busy = Mounted.cli("format", "--force", loop.device.toString());
                assertTrue(busy.exit() == 1 && busy.output().contains("in use (EBUSY)"), busy.output());
                assertEquals(8, loop.fsck().exit(), "fsck of a mounted device is an operational error");
            } finally {
                m.close();
            }
            assertEquals(0, loop.fsck().exit());
        }
    }

    /**
     * A writer appends 8 KiB records with fdatasync and prints each acknowledged length, and writes each
     * record also over a prefilled segment (PostgreSQL's recycled WAL: overwrites in place, no frame);
     * the daemon is killed mid-stream, with data through O_DIRECT (the default) and through the device's
     * page cache (use_raw_device = false). After a remount every acknowledged byte is there, and fsck
     * finds the volume clean.
     */
    @ParameterizedTest(name = "use_raw_device = {0}")
    @ValueSource(booleans = {true, false})
    void killDuringFdatasyncedAppendsLosesNothingAcknowledged(boolean rawDevice) throws Exception {
        Path root = root();
        List<String> lines = List.of("storage_type = block", "[block]", "use_raw_device = " + rawDevice);
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 512L << 20)) {
            loop.format();
            Mounted m = Mounted.onDevice(root, loop, lines);
            try {
                Run.ok("dd", "if=/dev/urandom", "of=" + m.path("before.bin"), "bs=1M", "count=8", "conv=fsync", "status=none");
                String before = Run.sha256(m.path("before.bin"));
                Run.ok("dd", "if=/dev/zero", "of=" + m.path("segment"), "bs=1M", "count=4", "conv=fsync", "status=none");
                Mounted writing = m;
                int last = KilledMidStream.lastAcknowledged(m, root.resolve("acks"), 300, () -> {
                    String stats = HybridIT.stats(writing);
                    assertTrue(stats.matches("(?s).*block_overwrites_in_place +[1-9].*"), stats);
                }, String.join("\n",
                        "import os, sys",
                        "fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)",
                        "seg = os.open(sys.argv[2], os.O_WRONLY)",
                        "out = open(sys.argv[3], 'w', buffering=1)",
                        "n = 0",
                        "while True:",
                        "    n += 1",
                        "    os.write(fd, (b'%08d' % n) * 1024)",
                        "    os.fdatasync(fd)",
                        "    os.pwrite(seg, (b'%08d' % n) * 1024, (n - 1) % 512 * 8192)",
                        "    os.fdatasync(seg)",
                        "    out.write('%d\\n' % n)"), m.path("wal").toString(), m.path("segment").toString());
                Run fsck = loop.fsck();
                assertEquals(0, fsck.exit(), fsck.output());
                m = Mounted.onDevice(root, loop, lines);
                assertEquals(before, Run.sha256(m.path("before.bin")));
                byte[] wal = Files.readAllBytes(m.path("wal"));
                assertTrue(wal.length >= last * 8192L, wal.length + " bytes < " + last + " acknowledged records");
                for (int r = 1; r <= last; r++) {
                    String want = String.format("%08d", r);
                    assertEquals(want, new String(wal, (r - 1) * 8192, 8, StandardCharsets.US_ASCII), "record " + r);
                    assertEquals(want, new String(wal, r * 8192 - 8, 8, StandardCharsets.US_ASCII), "record " + r);
                }
                byte[] segment = Files.readAllBytes(m.path("segment"));
                assertEquals(4 << 20, segment.length);
                for (int r = Math.max(1, last - 510); r <= last; r++) { // the latest record of each slot (last + 1 may be in one)
                    String want = String.format("%08d", r);
                    int at = (r - 1) % 512 * 8192;
                    assertEquals(want, new String(segment, at, 8, StandardCharsets.US_ASCII), "segment record " + r);
                    assertEquals(want, new String(segment, at + 8184, 8, StandardCharsets.US_ASCII), "segment record " + r);
                }
            } finally {
                m.close();
            }
        }
    }

    /**
     * A sparse file written far past the device's size (at 4 GiB and 1 TiB of a 256 MiB device) by a
     * daemon with the memory budget's working heap: its metadata costs what was written. The checksum
     * and unit maps were dense arrays up to the highest block, so the write at 1 TiB wanted a gigabyte
     * of heap and failed with ENOMEM (an OutOfMemoryError in the middle of applying a commit). Read back
     * after a remount (the checkpoint and journal hold the far blocks), 8 TiB is EFBIG, fsck is clean.
     */
    @Test
    void aSparseFileFarPastTheDeviceCostsOnlyWhatIsWritten() throws Exception {
        Path root = root();
        String probe = String.join("\n",
                "import os, sys",
                "p = os.path.join(sys.argv[1], 'sparse')",
                "offsets = (0, (4 << 30) - 100, 5 << 30, (1 << 40) + 12345)",
                "data = bytes(range(256)) * 32",
                "if sys.argv[2] == 'write':",
                "    fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)",
                "    for off in offsets: os.pwrite(fd, data, off)",
                "    try:",
                "        os.pwrite(fd, b'x', 8 << 40)",
                "        print('8 TiB written')",
                "    except OSError as e:",
                "        print(os.strerror(e.errno))",
                "    os.fsync(fd)",
                "    os.close(fd)",
                "fd = os.open(p, os.O_RDONLY)",
                "st = os.fstat(fd)",
                "print(all(os.pread(fd, len(data), off) == data for off in offsets), os.pread(fd, 4096, 3 << 30) == bytes(4096),",
                "      st.st_size, st.st_blocks * 512 <= 8 << 20)");
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            loop.format();
            Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "storage_type = block", "[block]",
                    "block_device = " + loop.device));
            Files.createDirectories(root.resolve("mnt"));
            Mounted m = Mounted.startWithJvmOptions(root, List.of("-Xmx128m"));
            try {
                assertEquals("File too large\nTrue True 1099511648313 True",
                        Run.ok(Py.PYTHON, "-c", probe, m.mnt.toString(), "write").strip(), m.log());
                m.close();
                m = Mounted.startWithJvmOptions(root, List.of("-Xmx128m"));
                assertEquals("True True 1099511648313 True", Run.ok(Py.PYTHON, "-c", probe, m.mnt.toString(), "read").strip());
            } finally {
                m.close();
            }
            Run fsck = loop.fsck();
            assertEquals(0, fsck.exit(), fsck.output());
        }
    }

    /**
     * Namespace churn (create with fsync, rename, unlink, directory fsync after each step) killed with -9:
     * after a remount every acknowledged step is there, with its bytes, and fsck finds the volume clean.
     */
    @Test
    void killDuringNamespaceChurnKeepsEveryAcknowledgedName() throws Exception {
        Path root = root();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            loop.format();
            Mounted m = Mounted.onDevice(root, loop, BLOCK);
            try {
                Files.createDirectory(m.path("ns"));
                int last = KilledMidStream.lastAcknowledged(m, root.resolve("acks"), 200, String.join("\n",
                        "import os, sys",
                        "d = sys.argv[1]",
                        "out = open(sys.argv[2], 'w', buffering=1)",
                        "dfd = os.open(d, os.O_RDONLY)",
                        "def name(i): return os.path.join(d, ('r%d' if i % 3 == 0 else 'f%d') % i)",
                        "n = 0",
                        "while True:",
                        "    n += 1",
                        "    fd = os.open(os.path.join(d, 'f%d' % n), os.O_CREAT | os.O_WRONLY, 0o644)",
                        "    os.write(fd, b'%d' % n)",
                        "    os.fsync(fd)",
                        "    os.close(fd)",
                        "    if n % 3 == 0:",
                        "        os.rename(os.path.join(d, 'f%d' % n), name(n))",
                        "    if n % 5 == 0:",
                        "        os.unlink(name(n - 1))",
                        "    os.fsync(dfd)",
                        "    out.write('%d\\n' % n)"), m.path("ns").toString());
                Run fsck = loop.fsck();
                assertEquals(0, fsck.exit(), fsck.output());
                m = Mounted.onDevice(root, loop, BLOCK);
                for (int i = 1; i < last; i++) { // step last + 1 may have unlinked file last
                    Path f = m.path("ns").resolve((i % 3 == 0 ? "r" : "f") + i);
                    boolean unlinked = (i + 1) % 5 == 0;
                    assertEquals(!unlinked, Files.exists(f), "step " + i + " of " + last);
                    if (!unlinked) {
                        assertEquals(String.valueOf(i), Files.readString(f), "step " + i);
                    }
                }
            } finally {
                m.close();
            }
        }
    }

    /** A flipped bit in file data reads as EIO (never wrong bytes) and fsck names the block; a damaged superblock copy is repaired. */
    @Test
    void bitFlipsAreFoundNeverServed() throws Exception {
        Path root = root();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            bitFlipsAreFoundNeverServed(root, loop);
        }
    }

    private static void bitFlipsAreFoundNeverServed(Path root, LoopDevice loop) throws Exception {
        loop.format();
        Mounted m = Mounted.onDevice(root, loop, BLOCK);
        m.loop = null;
        byte[] marker = "xdevfs-bit-flip-marker-".repeat(200).getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(m.path("victim"), marker);
            Files.write(m.path("bystander"), "untouched".getBytes(StandardCharsets.US_ASCII));
            Run.ok("sync", m.path("victim").toString());
        } finally {
            m.close();
        }
        byte[] image = Files.readAllBytes(loop.image);
        int at = indexOf(image, marker);
        assertTrue(at > 0, "the file's bytes are on the device");
        try (RandomAccessFile f = new RandomAccessFile(loop.image.toFile(), "rw")) {
            f.seek(at + 1000);
            f.write(image[at + 1000] ^ 0x04);
            f.seek(30); // the uuid in superblock copy 0
            f.write(image[30] ^ 0x01);
            f.getFD().sync(); // the loop device may read its file with direct I/O
        }
        Run.ok("blockdev", "--flushbufs", loop.device.toString());
        Run fsck = loop.fsck();
        assertEquals(4, fsck.exit(), fsck.output());
        assertTrue(fsck.output().contains("superblock copy 0: damaged") && fsck.output().contains("does not match its checksum"),
                fsck.output());
        m = Mounted.onDevice(root, loop, BLOCK);
        m.loop = null;
        try {
            assertEquals("EIO", Py.errno(m.mnt, "open(d + '/victim', 'rb').read()"));
            assertEquals("untouched", Files.readString(m.path("bystander")));
            Files.write(m.path("victim"), marker); // rewriting the file replaces the damaged block
            assertEquals(Run.sha256(m.path("bystander")), Run.sha256(m.path("bystander")));
        } finally {
            m.close();
        }
        Run repair = loop.fsck("--repair");
        assertNotEquals(8, repair.exit(), repair.output());
        Run after = loop.fsck();
        assertEquals(0, after.exit(), after.output());
    }

    /** A full device answers ENOSPC and loses nothing stored; deleting a file makes the space usable again. */
    @Test
    void aFullDeviceIsEnospcAndKeepsWhatItHas() throws Exception {
        Path root = root();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 96L << 20)) {
            aFullDeviceIsEnospcAndKeepsWhatItHas(root, loop);
        }
    }

    private static void aFullDeviceIsEnospcAndKeepsWhatItHas(Path root, LoopDevice loop) throws Exception {
        loop.format();
        Mounted m = Mounted.onDevice(root, loop, BLOCK);
        m.loop = null;
        try {
            Run.ok("dd", "if=/dev/urandom", "of=" + m.path("keep"), "bs=1M", "count=10", "conv=fsync", "status=none");
            String keep = Run.sha256(m.path("keep"));
            Run fill = Run.of("dd", "if=/dev/zero", "of=" + m.path("fill"), "bs=1M", "count=200", "conv=fsync", "status=none");
            assertNotEquals(0, fill.exit());
            assertTrue(fill.output().contains("No space left on device"), fill.output());
            assertEquals(keep, Run.sha256(m.path("keep")));
            Files.delete(m.path("fill"));
            Run.ok("dd", "if=/dev/zero", "of=" + m.path("again"), "bs=1M", "count=20", "conv=fsync", "status=none");
            assertEquals(keep, Run.sha256(m.path("keep")));
        } finally {
            m.close();
        }
        assertEquals(0, loop.fsck().exit());
    }

    /**
     * A large device (32 GiB, sparse): checkpoint slots of 128 MiB, more than the daemon's direct-memory
     * budget, mount and remount (regression: a mount read the whole slot through one direct buffer).
     */
    @Test
    void aLargeDeviceMountsWithinTheMemoryBudget() throws Exception {
        Path root = root();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 32L << 30)) {
            loop.format();
            Mounted m = Mounted.onDevice(root, loop, BLOCK);
            m.loop = null;
            try {
                Files.writeString(m.path("f"), "on a large device");
            } finally {
                m.close();
            }
            m = Mounted.onDevice(root, loop, BLOCK);
            try {
                assertEquals("on a large device", Files.readString(m.path("f")));
            } finally {
                m.close();
            }
        }
    }

    /** enable_trim (the default): a deleted file's units are discarded, which punches holes in the loop's backing file. */
    @Test
    void trimReturnsDeletedSpaceToTheLoopBackingFile() throws Exception {
        Path root = root();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 512L << 20)) {
            loop.format();
            Mounted m = Mounted.onDevice(root, loop, BLOCK);
            try {
                Run.ok("dd", "if=/dev/urandom", "of=" + m.path("big"), "bs=1M", "count=100", "conv=fsync", "status=none");
                long full = allocated(loop.image);
                assertTrue(full >= 100L << 20, "the image holds the file: " + full);
                Files.delete(m.path("big"));
                Run.ok("sync", "-f", m.mnt.toString()); // the delete durable: its units are discarded then
                long deadline = System.nanoTime() + 10_000_000_000L;
                long now = allocated(loop.image);
                while (now > full - (90L << 20) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    Py.eval(m.mnt, "fd = os.open(d, os.O_RDONLY)\nos.fsync(fd)\nos.close(fd)");
                    now = allocated(loop.image);
                }
                assertTrue(now <= full - (90L << 20), "discards punched holes: " + full + " -> " + now + " bytes allocated");
            } finally {
                m.close();
            }
        }
    }

    private static long allocated(Path file) {
        return Long.parseLong(Run.ok("stat", "-c", "%b", file.toString()).strip()) * 512;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i += 512) {
            for (int j = 0; j < 64; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
