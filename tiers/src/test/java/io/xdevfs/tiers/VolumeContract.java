package io.xdevfs.tiers;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every storage type keeps, checked without a mount (as Lucene's BaseDirectoryTestCase does for
 * its directories): POSIX semantics of files and names, a random model of several handles, contents
 * across a remount, and, through {@link FaultyPosix}, failing backing calls and power cuts. A type's
 * subclass only says how it is configured; what it may skip is asked of its {@link StorageType}.
 */
abstract class VolumeContract {
    @TempDir
    Path tmp;
    Path base;
    FaultyPosix posix;
    Volume volume;

    /** The storage type's configuration over {@code defaults} (whose base directory is {@link #baseDirectory}). */
    abstract LocalConfig configure(LocalConfig defaults);

    /** Where the base directory goes (a tmpfs type overrides it). */
    Path baseDirectory() throws IOException {
        return tmp.resolve("base");
    }

    /** Every directory the volume keeps files in (a composed volume's tiers too): what a power cut reaches. */
    Path powerCutRoot() {
        return base;
    }

    /** The volume under test over {@link #posix}; a subclass may decorate it. */
    Volume reopen() throws IOException, VolumeException {
        return Volumes.open(config(), posix);
    }

    LocalConfig config() throws IOException {
        return configure(LocalConfig.defaults().withBaseDirectory(base));
    }

    @BeforeEach
    void open() throws Exception {
        base = baseDirectory();
        posix = new FaultyPosix();
        volume = reopen();
    }

    @AfterEach
    void close() throws Exception {
        if (volume != null) {
            volume.close();
        }
    }

    /** Closes the volume and opens a new one over the same base directory. */
    void remount() throws Exception {
        volume.close();
        volume = null;
        posix = new FaultyPosix();
        volume = reopen();
    }

    // ---- helpers ------------------------------------------------------------------------------

    static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static void write(Content c, byte[] data, long offset) throws IOException {
        assertEquals(data.length, c.write(ByteBuffer.allocateDirect(data.length).put(data).flip(), offset));
    }

    static byte[] read(Content c, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(length);
        int n = c.read(buf, offset);
        byte[] out = new byte[n];
        buf.flip().get(out);
        return out;
    }

    byte[] readWhole(String path) throws IOException {
        try (Content c = volume.open(path, Flags.O_RDONLY)) {
            return read(c, 0, Math.toIntExact(c.attributes().size));
        }
    }

    static void assertErrno(int errno, Executable call) {
        PosixException e = assertThrows(PosixException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
    }

    // ---- POSIX semantics ----------------------------------------------------------------------

    @Test
    void sizesHolesAndTruncateReadAsOnADisk() throws Exception {
        Random rnd = new Random(1);
        byte[] head = random(rnd, 3000);
        byte[] far = random(rnd, 5000);
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            write(c, head, 0);
            write(c, far, 300_000);
            assertEquals(305_000, c.attributes().size);
            assertEquals(305_000, volume.getattr("/f").size);
            assertArrayEquals(new byte[100_000], read(c, 100_000, 100_000), "a hole reads as zeros");
            assertArrayEquals(far, read(c, 300_000, 5000));
            assertEquals(0, read(c, 305_000, 10).length, "nothing past the end");
            c.truncate(1000);
            assertEquals(1000, c.attributes().size);
            assertArrayEquals(Arrays.copyOf(head, 1000), read(c, 0, 2000));
            c.truncate(70_000);
            byte[] grown = read(c, 0, 70_000);
            assertArrayEquals(Arrays.copyOf(head, 1000), Arrays.copyOf(grown, 1000));
            assertArrayEquals(new byte[69_000], Arrays.copyOfRange(grown, 1000, 70_000), "what a truncate cut stays cut");
        }
        volume.truncate("/f", 10);
        assertArrayEquals(Arrays.copyOf(head, 10), readWhole("/f"));
    }

    @Test
    void appendTruncAndExclusiveCreateFlags() throws Exception {
        try (Content c = volume.create("/log", Flags.O_WRONLY, 0644, null)) {
            write(c, "first".getBytes(), 0);
        }
        try (Content c = volume.open("/log", Flags.O_WRONLY | Flags.O_APPEND)) {
            write(c, "+second".getBytes(), 0);
        }
        assertEquals("first+second", new String(readWhole("/log")));
        assertErrno(Errno.EEXIST, () -> volume.create("/log", Flags.O_WRONLY | Flags.O_EXCL, 0644, null).close());
        try (Content c = volume.open("/log", Flags.O_RDWR | Flags.O_TRUNC)) {
            assertEquals(0, c.attributes().size);
        }
        assertEquals(0, volume.getattr("/log").size);
    }

    @Test
    void renameReplacesAndOpenHandlesKeepTheirFile() throws Exception {
        try (Content a = volume.create("/a", Flags.O_RDWR, 0644, null);
             Content b = volume.create("/b", Flags.O_RDWR, 0644, null)) {
            write(a, "AAAA".getBytes(), 0);
            write(b, "BB".getBytes(), 0);
            volume.rename("/a", "/b", 0);
            assertErrno(Errno.ENOENT, () -> volume.getattr("/a"));
            assertEquals("AAAA", new String(readWhole("/b")));
            assertEquals("BB", new String(read(b, 0, 10)), "the replaced file lives on through its handle");
            write(a, "aa".getBytes(), 4);
            assertEquals("AAAAaa", new String(readWhole("/b")));
        }
        volume.unlink("/b");
        assertTrue(volume.readdir("/").isEmpty());
    }

    /**
     * renameat2's flags: NOREPLACE refuses an existing name and moves to a new one; EXCHANGE swaps two
     * files, and two directories under different parents (whose link counts follow their
     * subdirectories), and it lasts across a remount.
     */
    @Test
    void renameFlagsNoreplaceAndExchange() throws Exception {
        try (Content a = volume.create("/a", Flags.O_RDWR, 0644, null);
             Content b = volume.create("/b", Flags.O_RDWR, 0600, null)) {
            write(a, "AAAA".getBytes(), 0);
            write(b, "BB".getBytes(), 0);
        }
        assertErrno(Errno.EEXIST, () -> volume.rename("/a", "/b", 1));
        volume.rename("/a", "/c", 1);
        volume.rename("/c", "/a", 1);
        volume.rename("/a", "/b", 2);
        assertEquals("BB", new String(readWhole("/a")));
        assertEquals("AAAA", new String(readWhole("/b")));
        assertEquals(0600, volume.getattr("/a").mode & 07777);
        volume.mkdir("/p", 0755, null);
        volume.mkdir("/p/d1", 0755, null);
        volume.mkdir("/p/d1/sub", 0755, null);
        volume.mkdir("/q", 0755, null);
        try (Content f = volume.create("/q/f", Flags.O_WRONLY, 0644, null)) {
            write(f, "F".getBytes(), 0);
        }
        volume.rename("/p/d1", "/q/f", 2); // a directory and a file, under different parents
        assertEquals("F", new String(readWhole("/p/d1")));
        assertEquals(List.of("sub"), names(volume.readdir("/q/f")));
        assertEquals(2, volume.getattr("/p").nlink, "/p lost its subdirectory");
        assertEquals(3, volume.getattr("/q").nlink, "/q gained one");
        remount();
        assertEquals("BB", new String(readWhole("/a")));
        assertEquals("AAAA", new String(readWhole("/b")));
        assertEquals("F", new String(readWhole("/p/d1")));
        assertEquals(List.of("sub"), names(volume.readdir("/q/f")));
        assertEquals(2, volume.getattr("/p").nlink);
        assertEquals(3, volume.getattr("/q").nlink);
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).filter(n -> !n.equals(".") && !n.equals("..")).sorted().toList();
    }

    @Test
    void anUnlinkedOpenFileStaysReadableAndWritable() throws Exception {
        try (Content c = volume.create("/gone", Flags.O_RDWR, 0600, null)) {
            write(c, new byte[] {1, 2, 3}, 0);
            volume.unlink("/gone");
            assertErrno(Errno.ENOENT, () -> volume.getattr("/gone"));
            write(c, new byte[] {4}, 3);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, read(c, 0, 10));
            assertEquals(4, c.attributes().size);
            c.sync(false);
        }
    }

    /** fsetxattr, fgetxattr, flistxattr and fremovexattr through the handle of a file that lost its name. */
    @Test
    void anUnlinkedOpenFileKeepsItsExtendedAttributesThroughItsHandle() throws Exception {
        try (Content c = volume.create("/x", Flags.O_RDWR, 0600, null)) {
            volume.setxattr("/x", "user.named", ByteBuffer.allocateDirect(1).put((byte) 'a').flip(), 0);
            volume.unlink("/x");
            c.changeMetadata(new MetadataChange.SetXattr("user.after", new byte[] {'b', 'c'}, 0));
            assertEquals(2, c.getxattr("user.after", ByteBuffer.allocateDirect(0)));
            ByteBuffer value = ByteBuffer.allocateDirect(8);
            assertEquals(2, c.getxattr("user.after", value));
            assertEquals('c', value.get(1));
            assertErrno(Errno.ERANGE, () -> c.getxattr("user.after", ByteBuffer.allocateDirect(1)));
            assertEquals(List.of("user.after", "user.named"), xattrNames(c));
            assertErrno(Errno.EEXIST, () -> c.changeMetadata(new MetadataChange.SetXattr("user.named", new byte[1],
                    Flags.XATTR_CREATE)));
            assertErrno(Errno.ENODATA, () -> c.changeMetadata(new MetadataChange.SetXattr("user.none", new byte[1],
                    Flags.XATTR_REPLACE)));
            c.changeMetadata(new MetadataChange.RemoveXattr("user.named"));
            assertErrno(Errno.ENODATA, () -> c.getxattr("user.named", ByteBuffer.allocateDirect(8)));
            assertErrno(Errno.ENODATA, () -> c.changeMetadata(new MetadataChange.RemoveXattr("user.named")));
            assertEquals(List.of("user.after"), xattrNames(c));
        }
    }

    /** user.xdevfs.* is xdevfs's on every type: EPERM to set or remove, absent to read and list (by name and by handle). */
    @Test
    void reservedAttributesCanBeNeitherSetNorSeen() throws Exception {
        ByteBuffer one = ByteBuffer.allocateDirect(1).put((byte) 'a').flip();
        try (Content c = volume.create("/r", Flags.O_RDWR, 0600, null)) {
            for (String name : List.of("user.xdevfs.id", "user.xdevfs.mine")) {
                assertErrno(Errno.EPERM, () -> volume.setxattr("/r", name, one.duplicate(), 0));
                assertErrno(Errno.EPERM, () -> c.changeMetadata(new MetadataChange.SetXattr(name, new byte[1], 0)));
                assertErrno(Errno.EPERM, () -> volume.removexattr("/r", name));
                assertErrno(Errno.ENODATA, () -> volume.getxattr("/r", name, ByteBuffer.allocateDirect(64)));
                assertErrno(Errno.ENODATA, () -> c.getxattr(name, ByteBuffer.allocateDirect(64)));
            }
            volume.setxattr("/r", "user.mine", one.duplicate(), 0);
            assertEquals(List.of("user.mine"), xattrNames(c));
        }
    }

    private static List<String> xattrNames(Content c) throws IOException {
        ByteBuffer list = ByteBuffer.allocateDirect(c.listxattr(ByteBuffer.allocateDirect(0)));
        byte[] bytes = new byte[c.listxattr(list)];
        list.get(bytes);
        List<String> names = new ArrayList<>();
        for (String n : new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).split("\0")) {
            if (!n.isEmpty()) {
                names.add(n);
            }
        }
        return names.stream().sorted().toList();
    }

    @Test
    void modesTimesAndOwnersAreKept() throws Exception {
        try (Content c = volume.create("/m", Flags.O_WRONLY, 0640, null)) {
            write(c, new byte[10], 0);
        }
        assertEquals(0640, volume.getattr("/m").mode & 07777);
        volume.chmod("/m", 0604);
        assertEquals(0604, volume.getattr("/m").mode & 07777);
        volume.utimens("/m", 1_000_000, 5, 2_000_000, 7);
        assertEquals(2_000_000, volume.getattr("/m").mtimeSec);
        assertEquals(7, volume.getattr("/m").mtimeNsec);
        try (Content c = volume.open("/m", Flags.O_WRONLY)) {
            write(c, new byte[] {1}, 0);
            c.sync(false);
        }
        assertTrue(volume.getattr("/m").mtimeSec > 2_000_000, "a write moves mtime on");
        assertEquals(10, volume.getattr("/m").size);
    }

    @Test
    void directoriesLinksAndTheirErrors() throws Exception {
        volume.mkdir("/d", 0755, null);
        try (Content c = volume.create("/d/x", Flags.O_WRONLY, 0644, null)) {
            write(c, "x".getBytes(), 0);
        }
        volume.link("/d/x", "/d/y");
        volume.symlink("x", "/d/s", null);
        assertEquals("x", volume.readlink("/d/s"));
        assertEquals(List.of("s", "x", "y"), volume.readdir("/d").stream().map(DirEntry::name).sorted().toList());
        assertEquals(2, volume.getattr("/d/x").nlink);
        assertEquals(volume.getattr("/d/x").ino, volume.getattr("/d/y").ino);
        assertErrno(Errno.ENOTEMPTY, () -> volume.rmdir("/d"));
        assertErrno(Errno.ENOENT, () -> volume.open("/d/none", Flags.O_RDONLY));
        assertErrno(Errno.EEXIST, () -> volume.mkdir("/d", 0755, null));
        for (String n : List.of("/d/x", "/d/y", "/d/s")) {
            volume.unlink(n);
        }
        volume.rmdir("/d");
        assertTrue(volume.readdir("/").isEmpty(), "no name of the engine's own shows");
    }

    /**
     * fallocate as the type's capabilities say ({@link StorageType#fallocateModes}): PUNCH_HOLE and
     * ZERO_RANGE where claimed read back as zeros with the size kept (a pass-through type may get
     * EOPNOTSUPP from its backing filesystem, as without xdevfs), and a mode the type does not claim
     * is EOPNOTSUPP with nothing changed.
     */
    @Test
    void fallocateDoesWhatTheTypeClaims() throws Exception {
        StorageType type = config().storageType();
        boolean passThrough = type.fallocateModes() == io.xdevfs.tiers.FallocateModes.PASS_THROUGH;
        byte[] data = random(new Random(9), 200_000);
        int[][] modes = {{Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, 8192, 65536},
            {Flags.FALLOC_FL_ZERO_RANGE | Flags.FALLOC_FL_KEEP_SIZE, 100_000, 20_000},
            {Flags.FALLOC_FL_COLLAPSE_RANGE, 0, 65536}};
        try (Content c = volume.create("/fa", Flags.O_RDWR, 0644, null)) {
            write(c, data, 0);
            byte[] model = data.clone();
            for (int[] m : modes) {
                boolean claimed = (type.fallocateModes() & m[0]) == m[0];
                try {
                    c.allocate(m[0], m[1], m[2]);
                } catch (PosixException e) {
                    assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                    assertTrue(!claimed || passThrough, type + " claims mode " + m[0] + " but refused it");
                    assertArrayEquals(model, read(c, 0, model.length), "a refused mode changes nothing");
                    continue;
                }
                assertTrue(claimed, type + " did mode " + m[0] + " without claiming it");
                if (m[0] == Flags.FALLOC_FL_COLLAPSE_RANGE) {
                    model = java.util.Arrays.copyOfRange(model, m[2], model.length); // ext4 collapses aligned ranges
                } else {
                    java.util.Arrays.fill(model, m[1], m[1] + m[2], (byte) 0);
                }
                assertEquals(model.length, c.attributes().size, "mode " + m[0]);
                assertArrayEquals(model, read(c, 0, model.length), "mode " + m[0]);
            }
        }
    }

    /** Several handles of two files, random writes, truncates and reads against a model; then a remount. */
    @Test
    void aRandomModelOfHandlesHoldsAcrossARemount() throws Exception {
        Random rnd = new Random(7);
        String[] names = {"/r0", "/r1"};
        byte[][] model = {new byte[0], new byte[0]};
        List<Content> handles = new ArrayList<>();
        List<Integer> fileOf = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                int f = i % 2;
                handles.add(i < 2 ? volume.create(names[f], Flags.O_RDWR, 0644, null) : volume.open(names[f], Flags.O_RDWR));
                fileOf.add(f);
            }
            for (int step = 0; step < 400; step++) {
                int h = rnd.nextInt(handles.size());
                int f = fileOf.get(h);
                Content c = handles.get(h);
                int op = rnd.nextInt(10);
                if (op < 6) {
                    int off = rnd.nextInt(model[f].length + 40_000);
                    byte[] data = rnd.nextInt(4) == 0 ? new byte[1 + rnd.nextInt(20_000)] : random(rnd, 1 + rnd.nextInt(20_000));
                    write(c, data, off);
                    if (off + data.length > model[f].length) {
                        model[f] = Arrays.copyOf(model[f], off + data.length);
                    }
                    System.arraycopy(data, 0, model[f], off, data.length);
                } else if (op < 7) {
                    int size = rnd.nextInt(model[f].length + 20_000);
                    c.truncate(size);
                    model[f] = Arrays.copyOf(model[f], size);
                } else if (op < 8) {
                    c.sync(rnd.nextBoolean());
                } else {
                    int off = rnd.nextInt(model[f].length + 1);
                    int len = rnd.nextInt(60_000);
                    byte[] expected = Arrays.copyOfRange(model[f], off, Math.min(model[f].length, off + len));
                    assertArrayEquals(expected, read(c, off, len), "step " + step);
                    assertEquals(model[f].length, c.attributes().size, "step " + step);
                }
            }
        } finally {
            for (Content c : handles) {
                c.close();
            }
        }
        remount();
        for (int f = 0; f < 2; f++) {
            assertEquals(model[f].length, volume.getattr(names[f]).size);
            assertArrayEquals(model[f], readWhole(names[f]));
        }
    }

    @Test
    void concurrentWritersOfDisjointRegionsLoseNothing() throws Exception {
        int writers = 4;
        int piece = 6000;
        int rounds = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try (Content c = volume.create("/shared", Flags.O_RDWR, 0644, null)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        byte[] data = new byte[piece];
                        Arrays.fill(data, (byte) (id * rounds + r + 1));
                        write(c, data, (long) (r * writers + id) * piece);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            byte[] all = read(c, 0, writers * rounds * piece);
            for (int r = 0; r < rounds; r++) {
                for (int w = 0; w < writers; w++) {
                    int at = (r * writers + w) * piece;
                    for (int i = 0; i < piece; i++) {
                        if (all[at + i] != (byte) (w * rounds + r + 1)) {
                            fail("writer " + w + " round " + r + " byte " + i);
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- faults -------------------------------------------------------------------------------

    /**
     * Writes and syncs {@code synced}, sets up {@code faults}, and expects an overwrite and a sync
     * ({@code dataOnly}: fdatasync) to fail with {@code errno}; then the synced bytes still read back.
     */
    private void failsAndKeeps(byte[] synced, Runnable faults, boolean dataOnly, int errno) throws Exception {
        Random rnd = new Random(3);
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            write(c, synced, 0);
            c.sync(false);
            faults.run();
            PosixException e = assertThrows(PosixException.class, () -> {
                c.writeAll(ByteBuffer.allocateDirect(200_000).put(random(rnd, 200_000)).flip(), 50_000); // as a program: the rest after a short write
                c.sync(dataOnly);
            });
            assertEquals(errno, e.errno(), e.getMessage());
            posix.clearFaults();
        } catch (IOException e) {
            if (!(e instanceof PosixException p) || p.errno() != errno) {
                throw e; // a close may report the failure again, but only that one
            }
        }
        byte[] after = readWhole("/f");
        assertArrayEquals(Arrays.copyOf(synced, 50_000), Arrays.copyOf(after, 50_000), "synced bytes before the failed write");
    }

    @Test
    void aFullDiskIsReportedAndLosesNothingSynced() throws Exception {
        failsAndKeeps(random(new Random(5), 80_000), () -> posix.fail("pwrite", Errno.ENOSPC, 0, 1000)
                .fail("fallocate", Errno.ENOSPC, 0, 1000).fail("ftruncate", Errno.ENOSPC, 0, 1000), false, Errno.ENOSPC);
    }

    /**
     * The disk fills up in the middle of a write: the write either stores nothing and fails with ENOSPC,
     * or reports the prefix it stored (a short write, as write(2) does; the next write then fails), or,
     * where another tier takes the rest, stores all. In every case the file holds exactly what the
     * answers say: a write reported failed changed nothing, and the bytes after a short write's count
     * are the old ones. (A write reported failed had left half of its bytes in place of the old ones.)
     */
    @Test
    void aDiskFillingUpMidWriteStoresWhatItSaysItStored() throws Exception {
        Random rnd = new Random(9);
        byte[] old = random(rnd, 300_000);
        byte[] next = random(rnd, 200_000);
        int stored;
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            write(c, old, 0);
            c.sync(false);
            posix.tearNextWrite(Errno.ENOSPC);
            try {
                stored = c.write(ByteBuffer.allocateDirect(next.length).put(next).flip(), 50_000);
                assertTrue(stored > 0 && stored <= next.length, "stored " + stored);
            } catch (PosixException e) {
                assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
                stored = 0;
            }
            if (stored > 0 && stored < next.length) { // a short write: the next one meets the full disk
                PosixException e = assertThrows(PosixException.class,
                        () -> c.write(ByteBuffer.allocateDirect(next.length).put(next).flip(), 50_000 + next.length),
                        "the next write finds the disk full");
                assertEquals(Errno.ENOSPC, e.errno(), e.getMessage());
            }
            posix.clearFaults();
            c.sync(false);
        }
        byte[] expected = old.clone();
        System.arraycopy(next, 0, expected, 50_000, stored);
        assertArrayEquals(expected, readWhole("/f"), "the file holds what the answers said (" + stored + " bytes stored)");
    }

    @Test
    void anIoErrorOfFsyncIsReportedNeverSwallowed() throws Exception {
        failsAndKeeps(random(new Random(6), 80_000), () -> posix.fail("fsync", Errno.EIO), false, Errno.EIO);
    }

    /** A backing write that stops halfway (or, for a mapped file, the msync that would store it) is an error the caller sees. */
    @Test
    void aTornBackingWriteIsReported() throws Exception {
        failsAndKeeps(random(new Random(8), 80_000), () -> {
            posix.tearNextWrite();
            posix.fail("syncMapping", Errno.EIO); // what tears a write through a mapping
        }, true, Errno.EIO);
    }

    /**
     * Power cuts at random points of appends and overwrites with fsyncs between: after each, a new
     * volume reads every file without error, every byte synced before the cut is there unless a later
     * write covered it, and every other byte is zero or one that was written.
     */
    @Test
    void whatWasSyncedSurvivesAPowerCut() throws Exception {
        if (!config().storageType().fsyncIsDurable()) {
            return; // nothing promised: a power cut empties a memory tier
        }
        for (int round = 0; round < 6; round++) {
            Random rnd = new Random(100 + round);
            String name = "/wal" + round;
            byte[] synced = new byte[0];
            List<long[]> laterRanges = new ArrayList<>();
            List<byte[]> laterBytes = new ArrayList<>();
            try (Content c = volume.create(name, Flags.O_RDWR, 0644, null)) {
                byte[] now = new byte[0];
                int steps = 10 + rnd.nextInt(30);
                for (int s = 0; s < steps; s++) {
                    int off = rnd.nextInt(4) == 0 ? rnd.nextInt(now.length + 1) : now.length; // mostly appends
                    byte[] data = random(rnd, 1 + rnd.nextInt(30_000));
                    write(c, data, off);
                    now = Arrays.copyOf(now, Math.max(now.length, off + data.length));
                    System.arraycopy(data, 0, now, off, data.length);
                    laterRanges.add(new long[] {off, data.length});
                    laterBytes.add(data);
                    if (rnd.nextInt(4) == 0) {
                        c.sync(rnd.nextBoolean());
                        synced = now.clone();
                        laterRanges.clear();
                        laterBytes.clear();
                    }
                }
                posix.powerCut(powerCutRoot(), rnd);
            } catch (IOException e) {
                // the close after the cut fails: the machine is gone
            }
            volume = null;
            posix = new FaultyPosix();
            volume = reopen();
            byte[] after = readWhole(name);
            assertTrue(after.length >= synced.length, "round " + round + ": " + after.length + " < synced " + synced.length);
            for (int p = 0; p < after.length; p++) {
                boolean ok = p < synced.length ? after[p] == synced[p] : after[p] == 0;
                for (int w = 0; w < laterRanges.size() && !ok; w++) {
                    long[] r = laterRanges.get(w);
                    ok = p >= r[0] && p < r[0] + r[1] && after[p] == laterBytes.get(w)[(int) (p - r[0])];
                }
                if (!ok) {
                    fail("round " + round + ": byte " + p + " is " + after[p] + ", neither synced nor written later"
                            + " (synced size " + synced.length + ", size now " + after.length + ")");
                }
            }
        }
    }
}
