package io.xdevfs.tests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every operation of the regular storage type on a real mount: success paths and the errno of each failure. */
class PosixOperationsIT extends OneMountPerClass {
    static Path d;

    @BeforeAll
    static void mountPoint() {
        d = fs.mnt;
    }

    /** Whether the mount makes hard links (a writeback-cache mount refuses them). */
    boolean hardLinks() {
        return true;
    }

    /** Whether the mount exchanges names (a writeback-cache mount refuses RENAME_EXCHANGE). */
    boolean exchanges() {
        return true;
    }

    /**
     * Whether SEEK_HOLE finds holes: where the bytes are the backing file's, and not with the writeback
     * cache (whose kernel asks the daemon before writing its dirty pages back: it answers from its size).
     */
    boolean reportsHoles() {
        return rawFormat;
    }

    /**
     * The probes of {@code workloads/posix_probe.py} this mount answers otherwise than a local
     * filesystem, each with the answer it gives instead (a documented limit of its configuration).
     */
    java.util.Map<String, String> knownDifferences() {
        return java.util.Map.of();
    }

    static Path fresh(String name) throws Exception {
        Path dir = d.resolve(name);
        Files.createDirectory(dir);
        return dir;
    }

    /**
     * About 120 probes (errnos of names, bytes, times, set-ID bits, extended attributes, and what an
     * unprivileged user may do) answered the same as in a native directory, line for line: ext4 and
     * tmpfs answer all of them alike, so any difference is the mount's.
     */
    @Test
    void answersEveryProbeAsALocalFilesystemDoes() throws Exception {
        Files.setPosixFilePermissions(fs.root, PosixFilePermissions.fromString("rwxr-xr-x")); // for the user probes
        Path nativeDir = Files.createDirectory(fs.root.resolve("probe-native"));
        Path mounted = fresh("probe");
        String script = Path.of(PosixOperationsIT.class.getResource("/workloads/posix_probe.py").toURI()).toString();
        String onTheMount = Run.ok(Py.PYTHON, script, mounted.toString()).strip();
        java.util.Map<String, String> differences = new java.util.HashMap<>(knownDifferences());
        if (MonitoringIT.stat(fs, "passthrough_opens") > 0) {
            // The kernel opens its own backing file with the flags of the open it passes through, and
            // fcntl(F_SETFL) changes only the FUSE file's: O_APPEND stays on (docs/semantics.md).
            differences.put("o_append_cleared_by_fcntl", "OK b'abcdef1XY'");
        }
        java.util.List<String> expected = new java.util.ArrayList<>();
        for (String line : Run.ok(Py.PYTHON, script, nativeDir.toString()).strip().split("\n")) {
            String probe = line.substring(0, line.indexOf(':'));
            expected.add(differences.containsKey(probe) ? probe + ": " + differences.get(probe) : line);
        }
        assertTrue(expected.size() > 60, String.join("\n", expected));
        assertEquals(String.join("\n", expected), onTheMount);
    }

    @Test
    void getattrAndReaddirShowDotEntriesAndFiles() throws Exception {
        Path dir = fresh("readdir");
        Files.writeString(dir.resolve("a"), "12345");
        Files.createDirectory(dir.resolve("sub"));
        assertEquals(". .. a sub", Run.ok("ls", "-a", dir.toString()).strip().replace('\n', ' '));
        assertEquals("5 regular file 1", Run.ok("stat", "-c", "%s %F %h", dir.resolve("a").toString()).strip());
        assertEquals("directory", Run.ok("stat", "-c", "%F", dir.resolve("sub").toString()).strip());
        assertEquals("ENOENT", Py.errno(dir, "os.stat(d + '/missing')"));
        assertEquals("ENOTDIR", Py.errno(dir, "os.listdir(d + '/a')"));
    }

    @Test
    void mkdirAndRmdir() throws Exception {
        Path dir = fresh("mkdir");
        assertEquals("OK", Py.errno(dir, "os.mkdir(d + '/x', 0o750)"));
        assertEquals("drwxr-x---", Run.ok("stat", "-c", "%A", dir.resolve("x").toString()).strip());
        assertEquals("EEXIST", Py.errno(dir, "os.mkdir(d + '/x')"));
        Files.writeString(dir.resolve("x/f"), "f");
        assertEquals("ENOTEMPTY", Py.errno(dir, "os.rmdir(d + '/x')"));
        assertEquals("ENOTDIR", Py.errno(dir, "os.rmdir(d + '/x/f')"));
        assertEquals("ENOENT", Py.errno(dir, "os.rmdir(d + '/nope')"));
        assertEquals("ENOENT", Py.errno(dir, "os.mkdir(d + '/nope/deeper')"));
        Files.delete(dir.resolve("x/f"));
        assertEquals("OK", Py.errno(dir, "os.rmdir(d + '/x')"));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    /**
     * The daemon keeps recently used parent directories open: a directory renamed away, removed or
     * renamed over is never reached again under its old name, its new name works at once.
     */
    @Test
    void namesBelowARenamedOrRemovedDirectoryMeanWhatIsThereNow() throws Exception {
        Path dir = fresh("reparent");
        Files.createDirectories(dir.resolve("a/in"));
        Files.writeString(dir.resolve("a/in/x"), "x");
        Files.move(dir.resolve("a"), dir.resolve("b"));
        Files.createDirectories(dir.resolve("a/in"));
        Files.writeString(dir.resolve("a/in/y"), "y");
        assertEquals(Set.of("x"), names(dir.resolve("b/in")));
        assertEquals(Set.of("y"), names(dir.resolve("a/in")));
        assertEquals("x", Files.readString(dir.resolve("b/in/x")));
        Files.delete(dir.resolve("a/in/y"));
        Files.delete(dir.resolve("a/in"));
        Files.createDirectories(dir.resolve("a/in"));
        Files.writeString(dir.resolve("a/in/z"), "z");
        assertEquals(Set.of("z"), names(dir.resolve("a/in")));
        Files.delete(dir.resolve("a/in/z"));
        Files.createDirectories(dir.resolve("c/in"));
        Files.move(dir.resolve("c/in"), dir.resolve("a/in"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("a/in/w"), "w");
        assertEquals(Set.of(), names(dir.resolve("c")));
        assertEquals(Set.of("w"), names(dir.resolve("a/in")), "the empty directory renamed over it takes the file");
    }

    @Test
    void openFlagsBehaveAsOnADisk() throws Exception {
        Path dir = fresh("open");
        Files.writeString(dir.resolve("f"), "hello");
        assertEquals("EEXIST", Py.errno(dir, "os.open(d + '/f', os.O_CREAT | os.O_EXCL | os.O_WRONLY)"));
        assertEquals("OK", Py.errno(dir, "os.close(os.open(d + '/new', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))"));
        assertEquals("-rw-------", Run.ok("stat", "-c", "%A", dir.resolve("new").toString()).strip());
        assertEquals("EBADF", Py.errno(dir, "fd = os.open(d + '/f', os.O_RDONLY)\nos.write(fd, b'x')"));
        assertEquals("EBADF", Py.errno(dir, "fd = os.open(d + '/f', os.O_WRONLY)\nos.read(fd, 1)"));
        assertEquals("EISDIR", Py.errno(dir, "os.open(d, os.O_WRONLY)"));
        assertEquals("ENOENT", Py.errno(dir, "os.open(d + '/missing', os.O_RDONLY)"));
        Py.eval(dir, "fd = os.open(d + '/f', os.O_WRONLY | os.O_APPEND)\nos.write(fd, b' world')\nos.close(fd)");
        assertEquals("hello world", Files.readString(dir.resolve("f")));
        Py.eval(dir, "fd = os.open(d + '/f', os.O_RDWR | os.O_TRUNC)\nos.write(fd, b'new')\nos.close(fd)");
        assertEquals("new", Files.readString(dir.resolve("f")));
        assertEquals("ab", Py.eval(dir, "fd = os.open(d + '/f', os.O_RDWR)\nos.pwrite(fd, b'ab', 0)\n"
                + "print(os.pread(fd, 2, 0).decode())"));
    }

    @Test
    void writesPastTheEndAndTruncateLeaveZeros() throws Exception {
        Path f = fresh("holes").resolve("f");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("end".getBytes()), 1_000_000);
            assertEquals(1_000_003, ch.size());
            ByteBuffer head = ByteBuffer.allocate(1_000_000);
            ch.read(head, 0);
            assertTrue(isZero(head.array()));
            ch.truncate(10);
            assertEquals(10, Files.size(f));
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(5000); // ftruncate up
        }
        assertEquals(5000, Files.size(f));
        assertTrue(isZero(Files.readAllBytes(f)));
        Run.ok("truncate", "-s", "7000", f.toString()); // truncate(2) by path
        assertEquals(7000, Files.size(f));
        assertTrue(isZero(Files.readAllBytes(f)));
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void anUnlinkedOpenFileStaysUsableThroughItsHandle() throws Exception {
        Path dir = fresh("unlink");
        Path f = dir.resolve("f");
        Files.writeString(f, "still here");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.delete(f);
            assertFalse(Files.exists(f));
            assertEquals(Set.of(), names(dir), "no hidden files after unlink");
            ch.write(ByteBuffer.wrap("!".getBytes()), 10);
            ByteBuffer back = ByteBuffer.allocate(11);
            ch.read(back, 0);
            assertEquals("still here!", new String(back.array()));
            ch.force(true);
        }
        assertEquals("ENOENT", Py.errno(dir, "os.unlink(d + '/f')"));
        assertEquals("EISDIR", Py.errno(d, "os.unlink(d + '/unlink')"));
        assertEquals("OK", Py.errno(dir, "os.rmdir(d)"));
    }

    @Test
    void renameReplacesAndReportsEachConflict() throws Exception {
        Path dir = fresh("rename");
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        Files.createDirectories(dir.resolve("full/x"));
        Files.createDirectory(dir.resolve("empty"));
        Files.createDirectory(dir.resolve("other"));
        assertEquals("OK", Py.errno(dir, "os.rename(d + '/a', d + '/b')"));
        assertEquals("A", Files.readString(dir.resolve("b")));
        assertFalse(Files.exists(dir.resolve("a")));
        assertEquals("EISDIR", Py.errno(dir, "os.rename(d + '/b', d + '/empty')"));
        assertEquals("ENOTDIR", Py.errno(dir, "os.rename(d + '/empty', d + '/b')"));
        assertEquals("ENOTEMPTY", Py.errno(dir, "os.rename(d + '/other', d + '/full')"));
        assertEquals("ENOENT", Py.errno(dir, "os.rename(d + '/nope', d + '/b')"));
        assertEquals("EINVAL", Py.errno(dir, "os.rename(d + '/full', d + '/full/x/inside')"));
        assertEquals("OK", Py.errno(dir, "os.rename(d + '/other', d + '/empty')"));
        assertEquals("OK", Py.errno(dir, "os.rename(d + '/full', d + '/moved')"));
        assertTrue(Files.isDirectory(dir.resolve("moved/x")));
        assertEquals(Set.of("b", "empty", "moved"), names(dir));
    }

    private static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void symlinksAndReadlink() throws Exception {
        Path dir = fresh("symlink");
        Files.writeString(dir.resolve("target"), "T");
        Files.createSymbolicLink(dir.resolve("rel"), Path.of("target"));
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("/nonexistent/x"));
        assertEquals(Path.of("target"), Files.readSymbolicLink(dir.resolve("rel")));
        assertEquals("T", Files.readString(dir.resolve("rel")));
        assertTrue(Files.isSymbolicLink(dir.resolve("dangling")));
        assertFalse(Files.exists(dir.resolve("dangling")));
        assertEquals("EEXIST", Py.errno(dir, "os.symlink('x', d + '/rel')"));
        assertEquals("EINVAL", Py.errno(dir, "os.readlink(d + '/target')"));
    }

    @Test
    void hardLinksShowCurrentCountModeAndOwnerThroughEveryName() throws Exception {
        Path dir = fresh("hardlink");
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.writeString(a, "shared");
        assertEquals("1", stat("%h", a));
        Files.createLink(b, a);
        assertEquals("2 2", stat("%h", a) + " " + stat("%h", b));
        assertEquals(stat("%i", a), stat("%i", b));
        Run.ok("chmod", "600", b.toString());
        assertEquals("600", stat("%a", a));
        Run.ok("chown", "1234:5678", a.toString());
        assertEquals("1234:5678", stat("%u:%g", b));
        Files.writeString(b, "changed");
        assertEquals("changed", Files.readString(a));
        Files.delete(b);
        assertEquals("1", stat("%h", a));
        assertEquals("EEXIST", Py.errno(dir, "os.link(d + '/a', d + '/a')"));
        assertEquals("EPERM", Py.errno(d, "os.link(d + '/hardlink', d + '/dirlink')"));
    }

    @Test
    void theKernelCacheNeverHidesAWriteThroughAnotherName() throws Exception {
        Path dir = fresh("coherence");
        Path a = dir.resolve("a");
        Files.writeString(a, "old-old-old");
        assertEquals("old-old-old", Files.readString(a)); // cached: one name, so kept across opens
        Path b = dir.resolve("b");
        Files.createLink(b, a);
        try (FileChannel ch = FileChannel.open(b, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("new".getBytes()), 0);
        }
        assertEquals("new-old-old", Files.readString(a), "a new open through the other name sees the write");
        Files.delete(b);
        Files.writeString(a, "third", StandardOpenOption.APPEND);
        assertEquals("new-old-oldthird", Files.readString(a));
    }

    private static String stat(String format, Path p) {
        return Run.ok("stat", "-c", format, p.toString()).strip();
    }

    @Test
    void chmodChownAndTimestampsWithNowAndOmit() throws Exception {
        Path f = fresh("attrs").resolve("f");
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("640", stat("%a", f));
        Run.ok("chown", "4321:8765", f.toString());
        assertEquals("4321:8765", stat("%u:%g", f));
        Run.ok("touch", "-d", "2001-02-03 04:05:06.123456789", f.toString());
        assertEquals("981173106.123456789 981173106.123456789", stat("%.9X %.9Y", f));
        Run.ok("touch", "-a", "-d", "2010-01-01 00:00:00", f.toString()); // mtime is UTIME_OMIT
        assertEquals("1262304000.000000000 981173106.123456789", stat("%.9X %.9Y", f));
        Run.ok("touch", "-m", f.toString()); // mtime UTIME_NOW, atime UTIME_OMIT
        long mtime = Long.parseLong(stat("%Y", f));
        assertTrue(Math.abs(mtime - System.currentTimeMillis() / 1000) < 60, "mtime is now");
        assertEquals("1262304000", stat("%X", f));
        assertEquals("ENOENT", Py.errno(d, "os.chmod(d + '/attrs/missing', 0o600)"));
    }

    /**
     * A chown clears a file's set-user-ID bit, and its set-group-ID bit where group execute is set, as
     * on ext4 (FUSE_HANDLE_KILLPRIV_V2 leaves that to the daemon); a directory keeps both.
     */
    @Test
    void chownClearsAFilesSetIdBitsAsALocalFilesystemDoes() throws Exception {
        Path dir = fresh("chown-setid");
        String[][] cases = {{"6755", "755"}, {"2745", "2745"}, {"4700", "700"}};
        for (String[] c : cases) {
            Path f = dir.resolve("f" + c[0]);
            Files.writeString(f, "x");
            Run.ok("chmod", c[0], f.toString());
            Run.ok("chown", "4321:8765", f.toString());
            assertEquals(c[1], stat("%a", f), "chown of a file with mode " + c[0]);
        }
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Run.ok("chmod", "2775", sub.toString());
        Run.ok("chown", "4321:8765", sub.toString());
        assertEquals("2775", stat("%a", sub));
    }

    @Test
    void statfsReportsTheBackingFilesystem() {
        String viaMount = Py.eval(d, "s = os.statvfs(d)\nprint(s.f_bsize, s.f_blocks, s.f_namemax)");
        if (ownDevice) { // the volume's own figures: 4 KiB blocks of the data area
            assertTrue(viaMount.matches("4096 [1-9][0-9]* 255"), viaMount);
        } else if (deviceTier) { // the base's filesystem plus the device (docs/hybrid.md)
            String[] base = Py.eval(fs.base, "s = os.statvfs(d)\nprint(s.f_bsize, s.f_blocks, s.f_namemax)").split(" ");
            String[] mount = viaMount.split(" ");
            assertEquals(base[0] + " " + base[2], mount[0] + " " + mount[2]);
            assertTrue(Long.parseLong(mount[1]) > Long.parseLong(base[1]), viaMount + " against " + String.join(" ", base));
        } else {
            assertEquals(Py.eval(fs.base, "s = os.statvfs(d)\nprint(s.f_bsize, s.f_blocks, s.f_namemax)"), viaMount);
        }
        assertTrue(Run.ok("df", "-P", d.toString()).contains(d.toString()));
    }

    @Test
    void fsyncFdatasyncAndDirectoryFsyncSucceed() throws Exception {
        Path dir = fresh("sync");
        assertEquals("OK", Py.errno(dir, "fd = os.open(d + '/f', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                + "os.write(fd, b'durable')\nos.fsync(fd)\nos.fdatasync(fd)\nos.close(fd)\n"
                + "dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)\nos.fsync(dfd)\nos.close(dfd)"));
        assertEquals("durable", Files.readString(d.resolve("sync/f")));
        if (rawBacking) {
            assertEquals("durable", Files.readString(fs.base.resolve("sync/f")));
        }
    }

    @Test
    void fallocateModesPassThroughAndReadBackAsZeros() throws Exception {
        Path dir = fresh("fallocate");
        Path f = dir.resolve("f");
        Files.write(f, filled(3 << 20, (byte) 7));
        // Regression: PUNCH_HOLE and ZERO_RANGE were EOPNOTSUPP on regular, tmpfs, direct and mmap.
        Run.ok("fallocate", "-p", "-o", "64KiB", "-l", "64KiB", f.toString());
        assertEquals(3 << 20, Files.size(f), "PUNCH_HOLE keeps the size");
        assertEquals("0 0 7", Py.eval(dir, "b = open(d + '/f', 'rb').read()\nprint(b[65536], b[131071], b[131072])"));
        Run zero = Run.of("fallocate", "-z", "-o", "1MiB", "-l", "1MiB", f.toString());
        if (rawFormat && !ownDevice) {
            // exactly what the backing filesystem answers (tmpfs has no ZERO_RANGE)
            Path probe = Files.write(fs.base.resolve("fallocate/probe"), filled(4096, (byte) 1));
            assertEquals(Run.of("fallocate", "-z", "-l", "4096", probe.toString()).exit(), zero.exit(), zero.output());
        } else {
            assertEquals(0, zero.exit(), zero.output());
        }
        if (zero.exit() == 0) {
            assertEquals("7 0 0 7", Py.eval(dir, "b = open(d + '/f', 'rb').read()\n"
                    + "print(b[(1 << 20) - 1], b[1 << 20], b[(2 << 20) - 1], b[2 << 20])"));
            Run.ok("fallocate", "-z", "-o", "3MiB", "-l", "4096", f.toString()); // past the end: extends
            assertEquals((3 << 20) + 4096, Files.size(f));
        }
        assertEquals("ENOTSUP", Py.errno(dir, "import ctypes\nfd = os.open(d + '/f', os.O_RDWR)\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "if libc.fallocate(fd, 0x08, ctypes.c_long(0), ctypes.c_long(1 << 20)) != 0:\n"
                + "    raise OSError(ctypes.get_errno(), 'collapse')"), "the kernel's FUSE refuses COLLAPSE_RANGE itself (EOPNOTSUPP, which Python names ENOTSUP)");
        Path g = dir.resolve("g");
        if (!rawFormat) {
            // Compressed sizes cannot be reserved: fallocate(2) says so, and posix_fallocate falls back to zeros.
            Run refused = Run.of("fallocate", "-l", "1MiB", g.toString());
            assertTrue(refused.exit() != 0 && refused.output().matches("(?s).*(not supported|unsupported).*"),
                    refused.output());
            assertEquals("OK", Py.errno(dir, "fd = os.open(d + '/g', os.O_RDWR)\nos.posix_fallocate(fd, 0, 1 << 20)"));
            assertEquals(1 << 20, Files.size(g));
            return;
        }
        Run.ok("fallocate", "-l", "1MiB", g.toString());
        assertEquals(1 << 20, Files.size(g));
        Run.ok("fallocate", "-n", "-o", "1MiB", "-l", "1MiB", g.toString());
        assertEquals(1 << 20, Files.size(g), "KEEP_SIZE keeps the size");
        assertTrue(Long.parseLong(stat("%b", g)) * 512 >= 2 << 20, "but allocates");
    }

    private static byte[] filled(int size, byte value) {
        byte[] b = new byte[size];
        Arrays.fill(b, value);
        return b;
    }

    @Test
    void accessAnswersForTheCaller() throws Exception {
        Path f = fresh("access").resolve("f");
        Files.writeString(f, "x");
        assertEquals("True False", Py.eval(f.getParent(), "print(os.access(d + '/f', os.R_OK), os.access(d + '/f', os.X_OK))"));
        assertEquals("False", Py.eval(f.getParent(), "print(os.access(d + '/none', os.F_OK))"));
    }

    @Test
    void deviceNodesWhiteoutsAndFifosAsOnADisk() throws Exception {
        Path dir = fresh("mknod");
        assertEquals("OK", Py.errno(dir, "os.mkfifo(d + '/fifo', 0o600)"));
        assertEquals("fifo", stat("%F", dir.resolve("fifo")));
        // Regression: device nodes were refused with EPERM by policy. Root (CAP_MKNOD) may make them.
        assertEquals("OK", Py.errno(dir, "os.mknod(d + '/null', 0o600 | stat.S_IFCHR, os.makedev(1, 3))"));
        assertEquals("OK", Py.errno(dir, "os.mknod(d + '/loop', 0o600 | stat.S_IFBLK, os.makedev(7, 0))"));
        assertEquals("OK", Py.errno(dir, "os.mknod(d + '/whiteout', stat.S_IFCHR, os.makedev(0, 0))"));
        for (Path view : ownDevice ? new Path[] {dir} : new Path[] {dir, fs.base.resolve("mknod")}) {
            assertEquals("character special file 1,3 crw------- root", Run.ok("stat", "-c", "%F %Hr,%Lr %A %U",
                    view.resolve("null").toString()).strip(), view.toString());
            assertEquals("block special file 7,0", Run.ok("stat", "-c", "%F %Hr,%Lr", view.resolve("loop").toString()).strip());
            assertEquals("character special file 0,0", Run.ok("stat", "-c", "%F %Hr,%Lr",
                    view.resolve("whiteout").toString()).strip());
        }
        // The mount is nodev: a device node on it does not open its device.
        assertEquals("EACCES", Py.errno(dir, "os.open(d + '/null', os.O_RDONLY)"));
        Run.ok("chmod", "777", dir.toString());
        Run unprivileged = Run.of("runuser", "-u", "nobody", "--", Py.PYTHON, "-c",
                "import os, stat\ntry:\n    os.mknod('" + dir + "/n2', 0o600 | stat.S_IFCHR, os.makedev(1, 3))\n"
                        + "    print('OK')\nexcept PermissionError:\n    print('EPERM')");
        assertEquals("EPERM", unprivileged.output().strip(), "the kernel refuses a caller without CAP_MKNOD");
        // a FIFO on the mount carries data between processes like any FIFO
        assertEquals("through the fifo", Run.sh("cd " + dir + " && (echo 'through the fifo' > fifo &) && cat fifo").strip());
    }

    @Test
    void extendedAttributesAreStoredOnTheBackingFile() throws Exception {
        Path dir = fresh("xattr");
        Files.writeString(dir.resolve("f"), "x");
        assertEquals("OK", Py.errno(dir, "os.setxattr(d + '/f', 'user.wal', b'segment-1')"));
        assertEquals("b'segment-1' ['user.wal']", Py.eval(dir,
                "print(os.getxattr(d + '/f', 'user.wal'), os.listxattr(d + '/f'))"));
        if (!ownDevice) {
            assertEquals("segment-1", Py.eval(fs.base.resolve("xattr"), "print(os.getxattr(d + '/f', 'user.wal').decode())"));
        }
        assertEquals("EEXIST", Py.errno(dir, "os.setxattr(d + '/f', 'user.wal', b'x', os.XATTR_CREATE)"));
        assertEquals("ENODATA", Py.errno(dir, "os.setxattr(d + '/f', 'user.none', b'x', os.XATTR_REPLACE)"));
        assertEquals("OK", Py.errno(dir, "os.removexattr(d + '/f', 'user.wal')"));
        assertEquals("ENODATA", Py.errno(dir, "os.getxattr(d + '/f', 'user.wal')"));
        assertEquals("[]", Py.eval(dir, "print(os.listxattr(d + '/f'))"));
    }

    /**
     * An extended access ACL (a named user, a mask) set through the mount sets the mode from it, and a
     * later chmod rewrites its owner, mask and other entries, as on ext4: getfacl, cp -a and tar then see
     * the mode chmod set, not the one before.
     */
    @Test
    void chmodRewritesAStoredAccessAcl() throws Exception {
        Path dir = fresh("acl");
        Files.writeString(dir.resolve("f"), "x");
        String entries = "lambda es: struct.pack('<I', 2) + b''.join(struct.pack('<HHI', t, p, i) for t, p, i in es)";
        String u = "0xffffffff";
        assertEquals("0o774", Py.eval(dir, "import struct\nacl = " + entries + "\n"
                + "os.setxattr(d + '/f', 'system.posix_acl_access', acl([(1, 7, " + u + "), (2, 6, 1000), (4, 5, " + u
                + "), (0x10, 7, " + u + "), (0x20, 4, " + u + ")]))\n"
                + "print(oct(os.stat(d + '/f').st_mode & 0o777))"));
        Run.ok("chmod", "600", dir.resolve("f").toString());
        assertEquals("[(1, 6), (2, 6), (4, 5), (16, 0), (32, 0)] 0o600", Py.eval(dir, "import struct\n"
                + "v = os.getxattr(d + '/f', 'system.posix_acl_access')\n"
                + "print([struct.unpack_from('<HH', v, 4 + 8 * k) for k in range((len(v) - 4) // 8)], "
                + "oct(os.stat(d + '/f').st_mode & 0o777))"));
    }

    @Test
    void utf8NamesAndLongNamesRoundTrip() throws Exception {
        Path dir = fresh("names");
        String name = "données-日本-\uD83D\uDCBE.wal";
        Files.writeString(dir.resolve(name), "unicode");
        assertEquals(Set.of(name), names(dir));
        if (!ownDevice) {
            assertEquals(Set.of(name), names(fs.base.resolve("names")), "the backing name is the same UTF-8");
        }
        assertEquals("OK", Py.errno(dir, "open(d + '/' + 'x' * 255, 'w').close()"));
        assertEquals("ENAMETOOLONG", Py.errno(dir, "open(d + '/' + 'x' * 256, 'w').close()"));
    }

    @Test
    void namesStayInsideTheBaseDirectory() throws Exception {
        // A symlink planted in the backing tree (not through the mount) must not lead the daemon outside.
        if (ownDevice) {
            return; // no backing tree: names exist only in the volume's own metadata
        }
        Files.createSymbolicLink(fs.base.resolve("escape"), Path.of("/etc"));
        assertTrue(Files.isSymbolicLink(d.resolve("escape")), "the mount shows it as a symlink");
        assertEquals(Files.readString(Path.of("/etc/hostname")), Files.readString(d.resolve("escape/hostname")),
                "the caller's kernel follows it, as for any symlink");
        byte[] payload = new byte[3000];
        Arrays.fill(payload, (byte) 7);
        Files.write(d.resolve("inside"), payload);
        assertTrue(Files.exists(fs.base.resolve("inside")));
        if (rawBacking) {
            assertArrayEquals(payload, Files.readAllBytes(fs.base.resolve("inside")));
        }
        assertFalse(Files.exists(Path.of("/etc/inside"), LinkOption.NOFOLLOW_LINKS));
    }
    /**
     * A program's own MAP_SHARED mapping of a file on the mount: stores reach the file, and the file's
     * writes a new mapping (python, so the mapping ends with the process and the mount can be unmounted).
     */
    @Test
    void sharedMappingsOfFilesOnTheMountSeeWritesBothWays() throws Exception {
        Path dir = fresh("mapped");
        Files.write(dir.resolve("m"), new byte[3 * 4096 + 100]);
        String out = Py.eval(dir, String.join("\n",
                "import mmap",
                "fd = os.open(d + '/m', os.O_RDWR)",
                "m = mmap.mmap(fd, 3 * 4096 + 100, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)",
                "m[4096 + 7] = 42",
                "m[3 * 4096 + 99] = 43",
                "m.flush()",
                "with open(d + '/m', 'rb') as f: back = f.read()",
                "os.pwrite(os.open(d + '/m', os.O_WRONLY), b'\\x09', 10)",
                "m2 = mmap.mmap(fd, 100, mmap.MAP_SHARED, mmap.PROT_READ)",
                "print(back[4096 + 7], back[3 * 4096 + 99], m2[10])",
                "m.close(); m2.close(); os.close(fd)"));
        assertEquals("42 43 9", out.strip());
    }

    /** A program opening files on the mount with O_DIRECT gets aligned transfers served, not EINVAL. */
    @Test
    void oDirectOpensOfFilesOnTheMountWork() throws Exception {
        Path f = fresh("odirect").resolve("d");
        ByteBuffer block = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096);
        for (int i = 0; i < 4096; i++) {
            block.put(i, (byte) (i * 7));
        }
        try (FileChannel ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT))) {
            for (int i = 0; i < 8; i++) {
                ch.write(block.clear().limit(4096), i * 4096L);
            }
            ch.force(false);
            ByteBuffer back = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096);
            assertEquals(4096, ch.read(back, 5 * 4096L));
            assertEquals(0, back.flip().compareTo(block.clear().limit(4096)));
        }
        assertEquals(8 * 4096, Files.size(f));
        Run.ok("dd", "if=/dev/urandom", "of=" + f.resolveSibling("dd"), "bs=64k", "count=8", "oflag=direct", "status=none");
        String viaDirect = Run.ok("sh", "-c", "dd if=" + f.resolveSibling("dd") + " bs=64k iflag=direct status=none | sha256sum");
        String viaCache = Run.ok("sh", "-c", "sha256sum < " + f.resolveSibling("dd"));
        assertEquals(viaCache, viaDirect);
    }

    /**
     * Regression: names were decoded as UTF-8, so a\xffb and a\xfeb became one backing file (the second
     * write overwrote the first) and 86 invalid bytes were ENAMETOOLONG. Names are bytes.
     */
    @Test
    void fileNamesAreBytesNotUtf8() throws Exception {
        Path dir = fresh("bytenames");
        String out = Py.eval(dir, String.join("\n",
                "d = os.fsencode(d)",
                "values = [b for b in range(1, 256) if b != 0x2f]",
                "for b in values:",
                "    with open(d + b'/a' + bytes([b]) + b'b', 'wb') as f: f.write(bytes([b]) * 3)",
                "names = sorted(os.listdir(d))",
                "assert names == sorted(b'a' + bytes([b]) + b'b' for b in values), names[:5]",
                "for b in values:",
                "    with open(d + b'/a' + bytes([b]) + b'b', 'rb') as f: assert f.read() == bytes([b]) * 3, b",
                "    os.rename(d + b'/a' + bytes([b]) + b'b', d + b'/r' + bytes([b]))",
                "assert sorted(os.listdir(d)) == sorted(b'r' + bytes([b]) for b in values)",
                "for b in values:",
                "    os.unlink(d + b'/r' + bytes([b]))",
                "assert os.listdir(d) == []",
                "long = b'\\xff\\xfe' * 127 + b'\\xc3'",
                "assert len(long) == 255",
                "with open(d + b'/' + long, 'wb') as f: f.write(b'long')",
                "assert os.listdir(d) == [long]",
                "os.rename(d + b'/' + long, d + b'/' + long[::-1])",
                "assert open(d + b'/' + long[::-1], 'rb').read() == b'long'",
                "try:",
                "    open(d + b'/' + long + b'x', 'wb')",
                "    print('256 bytes accepted')",
                "except OSError as e:",
                "    assert errno.errorcode[e.errno] == 'ENAMETOOLONG', e",
                "os.symlink(b'\\xfe\\xffx/\\x80', d + b'/ln\\xff')",
                "assert os.readlink(d + b'/ln\\xff') == b'\\xfe\\xffx/\\x80'",
                "os.mkdir(d + b'/sub\\x80')",
                "if " + (hardLinks() ? "True" : "False") + ":",
                "    os.link(d + b'/' + long[::-1], d + b'/sub\\x80/h\\xfe')",
                "    assert os.stat(d + b'/sub\\x80/h\\xfe').st_nlink == 2",
                "os.setxattr(d + b'/' + long[::-1], b'user.\\xff\\xfe', b'v1')",
                "os.setxattr(d + b'/' + long[::-1], b'user.\\xfe\\xff', b'v2')",
                "assert sorted(os.fsencode(n) for n in os.listxattr(d + b'/' + long[::-1])) == [b'user.\\xfe\\xff', b'user.\\xff\\xfe']",
                "assert os.getxattr(d + b'/' + long[::-1], b'user.\\xff\\xfe') == b'v1'",
                "print('OK', sorted(os.listdir(d)) == sorted([long[::-1], b'ln\\xff', b'sub\\x80']))"));
        assertEquals("OK True", out);
        if (!ownDevice) {
            String backing = Py.eval(fs.base.resolve("bytenames"), "print(sorted(os.listdir(os.fsencode(d))))");
            assertEquals(Py.eval(dir, "print(sorted(os.listdir(os.fsencode(d))))"), backing);
        }
    }

    /**
     * Regression: SEEK_DATA/SEEK_HOLE got the kernel's fallback (all data), because libfuse2 answers
     * FUSE_LSEEK with ENOSYS. Types whose bytes are the backing file's report its holes; compressed
     * files report all data, which lseek allows.
     */
    @Test
    void seekDataAndSeekHoleAnswerFromTheBackingFile() throws Exception {
        Path dir = fresh("seek");
        String out = Py.eval(dir, String.join("\n",
                "fd = os.open(d + '/f', os.O_CREAT | os.O_RDWR, 0o644)",
                "os.pwrite(fd, b'x' * 4096, 0)",
                "os.pwrite(fd, b'y' * 4096, 1 << 20)",
                "os.fsync(fd)",
                "r = [os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 8192, os.SEEK_DATA), os.lseek(fd, 1 << 20, os.SEEK_HOLE)]",
                "try:",
                "    os.lseek(fd, (1 << 20) + 4096, os.SEEK_DATA)",
                "    r.append('no ENXIO')",
                "except OSError as e:",
                "    r.append(errno.errorcode[e.errno])",
                "print(*r)"));
        assertEquals(reportsHoles() ? "4096 1048576 1052672 ENXIO" : "1052672 8192 1052672 ENXIO", out);
    }

    private static final String RENAMEAT2 = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            + "def renameat2(a, b, flags):\n"
            + "    if libc.renameat2(-100, (d + '/' + a).encode(), -100, (d + '/' + b).encode(), flags) != 0:\n"
            + "        raise OSError(ctypes.get_errno(), 'renameat2')\n";

    /**
     * renameat2(RENAME_NOREPLACE) moves to a new name and refuses an existing one (EEXIST), both names
     * untouched; RENAME_WHITEOUT is EINVAL, never success, and does not make the kernel give up on
     * flags. libfuse2 has no flags: xdevfs rewrites the request (docs/fuse-requests.md).
     */
    @Test
    void renameat2NoreplaceWorksAndWhiteoutIsEinval() throws Exception {
        Path dir = fresh("rename2");
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        String[][] cases = {{"a", "b", "1", "EEXIST"}, {"a", "b", "4", "EINVAL"}, {"a", "b", "3", "EINVAL"},
                {"a", "c", "1", "OK"}, {"c", "b", "1", "EEXIST"}, {"c", "a", "1", "OK"}};
        for (String[] c : cases) {
            assertEquals(c[3], Py.errno(dir, RENAMEAT2 + "renameat2('" + c[0] + "', '" + c[1] + "', " + c[2] + ")"),
                    String.join(" ", c));
        }
        assertEquals(Set.of("a", "b"), names(dir));
        assertEquals("A", Files.readString(dir.resolve("a")));
        assertEquals("B", Files.readString(dir.resolve("b")));
        // a plain rename on the same mount after them still replaces: the flag is the request's alone
        Files.move(dir.resolve("a"), dir.resolve("b"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals("A", Files.readString(dir.resolve("b")));
        assertEquals(Set.of("b"), names(dir));
    }

    /**
     * renameat2(RENAME_EXCHANGE) swaps two files, two directories, a file and a directory, and each
     * name works at once after it (read, stat, chmod, list, the files inside): libfuse2 saw a move over
     * the target, so xdevfs has the kernel look the first name up again. A writeback-cache mount
     * refuses it (EINVAL, nothing moved): see RenameFlags.
     */
    @Test
    void renameat2ExchangeSwapsNamesThatWorkAtOnce() throws Exception {
        Path dir = fresh("exchange");
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        Files.createDirectories(dir.resolve("d1/sub"));
        Files.writeString(dir.resolve("d1/sub/f"), "one");
        Files.createDirectories(dir.resolve("d2"));
        Files.writeString(dir.resolve("d2/g"), "two");
        if (!exchanges()) {
            assertEquals("EINVAL", Py.errno(dir, RENAMEAT2 + "renameat2('a', 'b', 2)"));
            assertEquals("A", Files.readString(dir.resolve("a")));
            return;
        }
        String inodes = Run.ok("stat", "-c", "%i", dir.resolve("a").toString(), dir.resolve("b").toString()).strip();
        String out = Py.eval(dir, RENAMEAT2
                + "renameat2('a', 'b', 2)\n"
                + "os.chmod(d + '/a', 0o600)\n"
                + "print(open(d + '/a').read(), open(d + '/b').read(), oct(os.stat(d + '/a').st_mode & 0o777),"
                + " os.stat(d + '/a').st_ino, os.stat(d + '/b').st_ino)\n"
                + "renameat2('d1', 'd2', 2)\n"
                + "print(sorted(os.listdir(d + '/d1')), sorted(os.listdir(d + '/d2')), open(d + '/d2/sub/f').read())\n"
                + "renameat2('a', 'd1', 2)\n"
                + "print(os.path.isfile(d + '/d1'), sorted(os.listdir(d + '/a')), open(d + '/d1').read())");
        String[] ino = inodes.split("\\s+");
        assertEquals("B A 0o600 " + ino[1] + " " + ino[0] + "\n['g'] ['sub'] one\nTrue ['g'] B", out);
        assertEquals("600", Run.ok("stat", "-c", "%a", dir.resolve("d1").toString()).strip());
        assertEquals("two", Files.readString(dir.resolve("a/g")));
        // Each call right after its exchange, before the kernel has forgotten the first name: none fails.
        Files.writeString(dir.resolve("x"), "X");
        Files.writeString(dir.resolve("y"), "Y");
        assertEquals("XY", Py.eval(dir, RENAMEAT2
                + "for i in range(300):\n"
                + "    renameat2('x', 'y', 2)\n"
                + "    os.chmod(d + '/x', 0o600 if i % 2 else 0o640)\n"
                + "    os.listxattr(d + '/x')\n"
                + "    os.stat(d + '/y')\n"
                + "    open(d + '/x').read()\n"
                + "print(open(d + '/x').read() + open(d + '/y').read())"));
    }

    /** Runs {@code script} in {@code dir} as user and group {@code uid}, with no other groups. */
    private static Run as(int uid, Path dir, String script) {
        return Run.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sh", "-c", "cd " + dir + " && " + script);
    }

    /**
     * POSIX ACLs are enforced by the kernel (FUSE_POSIX_ACL), as on ext4: a named user's entry takes
     * away what "other" allows, another grants what "other" does not, chmod narrows the mask and with
     * it the named entries, and a directory's default ACL is inherited by what is made in it.
     */
    @Test
    void posixAclsAreEnforced() throws Exception {
        Files.setPosixFilePermissions(fs.root, PosixFilePermissions.fromString("rwxr-xr-x")); // let other users in
        Path dir = fresh("acl-enforced");
        Py.eval(dir, "import struct\nU = 0xffffffff\n"
                + "def acl(entries):\n"
                + "    return struct.pack('<I', 2) + b''.join(struct.pack('<HHI', t, p, i) for t, p, i in entries)\n"
                + "open(d + '/f', 'w').write('secret')\nos.chmod(d + '/f', 0o644)\n"
                + "os.setxattr(d + '/f', 'system.posix_acl_access', acl([(1, 6, U), (2, 0, 12345), (4, 4, U), (16, 4, U), (32, 4, U)]))\n"
                + "open(d + '/g', 'w').write('shared')\nos.chmod(d + '/g', 0o644)\n"
                + "os.setxattr(d + '/g', 'system.posix_acl_access', acl([(1, 6, U), (2, 6, 12346), (4, 4, U), (16, 6, U), (32, 4, U)]))\n"
                + "os.mkdir(d + '/inherit')\n"
                + "os.setxattr(d + '/inherit', 'system.posix_acl_default', acl([(1, 7, U), (2, 7, 12346), (4, 5, U), (16, 7, U), (32, 5, U)]))\n"
                + "os.umask(0o022)\nopen(d + '/inherit/new', 'w').write('n')"); // the umask yields to the default ACL
        Run named = as(12345, dir, "cat f");
        assertTrue(named.exit() != 0 && named.output().contains("Permission denied"), named.output());
        assertEquals("secret", as(12347, dir, "cat f").output().strip(), "another user reads as other");
        Run granted = as(12346, dir, "echo more >> g");
        assertEquals(0, granted.exit(), granted.output());
        assertEquals("664", Run.ok("stat", "-c", "%a", dir.resolve("g").toString()).strip(), "the mode shows the mask");
        Run.ok("chmod", "644", dir.resolve("g").toString()); // the mask goes to r--, and with it 12346's write
        Run masked = as(12346, dir, "echo again >> g");
        assertTrue(masked.exit() != 0 && masked.output().contains("Permission denied"), masked.output());
        assertEquals("sharedmore", Files.readString(dir.resolve("g")).strip(), "the masked write changed nothing");
        Run inherited = as(12346, dir, "echo x >> inherit/new");
        assertEquals(0, inherited.exit(), inherited.output());
        assertEquals("664", Run.ok("stat", "-c", "%a", dir.resolve("inherit/new").toString()).strip(),
                "mask rw- from the mode asked (0666), not narrowed by the umask");
    }

    /**
     * The caller's umask applies to files, directories and FIFOs it makes. With POSIX ACLs the kernel
     * leaves it to the daemon (FUSE_DONT_MASK), which applies it unless a default ACL is inherited.
     */
    @Test
    void theCallersUmaskApplies() throws Exception {
        Path dir = fresh("umask");
        assertEquals("0o640 0o750 0o640", Py.eval(dir, "os.umask(0o027)\nopen(d + '/f', 'w').close()\n"
                + "os.mkdir(d + '/d')\nos.mkfifo(d + '/p', 0o666)\n"
                + "print(*(oct(os.stat(d + '/' + n).st_mode & 0o777) for n in ('f', 'd', 'p')))"));
    }

    /** libfuse2 answers TMPFILE with ENOSYS: open(O_TMPFILE) fails with EOPNOTSUPP, never a phantom file. */
    @Test
    void tmpfileIsEopnotsuppNeverSuccess() throws Exception {
        Path dir = fresh("tmpfile");
        assertEquals("ENOTSUP", Py.errno(dir, "os.open(d, os.O_TMPFILE | os.O_RDWR, 0o600)"));
        assertEquals(Set.of(), names(dir));
    }

    /**
     * Regression: fstat of an open file after unlink was ENOENT (libfuse2 looks the name up). It shows
     * the open file, with st_nlink 0 as ext4 does, also for one created and unlinked with no read or
     * write between, and fchmod, fchown and futimens change it.
     */
    /**
     * Regression: with --dispatch multi the daemon's request hooks lost what they had noted between a
     * request and its reply (a libfuse thread can be a new Java thread at each call into Java), so an
     * unlinked open file's fchmod and fstat failed with ENOENT most of the time.
     */
    @Test
    void anUnlinkedOpenFileAnswersEveryTime() throws Exception {
        Path dir = fresh("unlinked-loop");
        assertEquals("0 0", Py.eval(dir, String.join("\n",
                "failed = [0, 0]",
                "for i in range(200):",
                "    fd = os.open(d + '/c', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o604)",
                "    os.unlink(d + '/c')",
                "    try:",
                "        os.fchmod(fd, 0o606)",
                "        assert os.fstat(fd).st_mode & 0o777 == 0o606",
                "    except OSError:",
                "        failed[0] += 1",
                "    os.close(fd)",
                "    open(d + '/r', 'w').close()",
                "    fd = os.open(d + '/r', os.O_RDONLY)",
                "    os.unlink(d + '/r')",
                "    try:",
                "        assert os.fstat(fd).st_nlink == 0",
                "    except OSError:",
                "        failed[1] += 1",
                "    os.close(fd)",
                "print(*failed)")));
    }

    @Test
    void fstatOfAnUnlinkedOpenFileShowsItWithNoLinks() throws Exception {
        Path dir = fresh("fstat-unlinked");
        String out = Py.eval(dir, String.join("\n",
                "fd = os.open(d + '/w', os.O_CREAT | os.O_RDWR, 0o640)",
                "os.write(fd, b'x' * 5000)",
                "os.unlink(d + '/w')",
                "st = os.fstat(fd)",
                "print(st.st_nlink, st.st_size, oct(st.st_mode & 0o777))",
                "os.ftruncate(fd, 10)",
                "print(os.fstat(fd).st_size, os.pread(fd, 3, 0))",
                "open(d + '/r', 'w').close()",
                "fd2 = os.open(d + '/r', os.O_RDONLY)",
                "os.unlink(d + '/r')",
                "print(os.fstat(fd2).st_nlink, os.fstat(fd2).st_size)",
                "os.fchmod(fd, 0o600)",
                "os.fchown(fd, 65534, 65534)",
                "os.utime(fd, ns=(1_000_000_123, 2_000_000_456))",
                "st = os.fstat(fd)",
                "print(oct(st.st_mode & 0o777), st.st_uid, st.st_gid, st.st_atime_ns, st.st_mtime_ns)",
                "fd3 = os.open(d + '/c', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o604)",
                "os.unlink(d + '/c')",
                "os.fchmod(fd3, 0o606)",
                "print(os.fstat(fd3).st_nlink, oct(os.fstat(fd3).st_mode & 0o777))"));
        assertEquals("0 5000 0o640\n10 b'xxx'\n0 0\n0o600 65534 65534 1000000123 2000000456\n0 0o606", out);
    }

    /**
     * Regression: an unlinked open file's f*xattr calls failed with ENOENT or ESTALE (libfuse2 looks the
     * node's name up first), and so did its fstatfs, which glibc's posix_fallocate asks where fallocate(2)
     * is not supported (the compressed type). ext4 answers all of them through the descriptor.
     */
    @Test
    void anUnlinkedOpenFileKeepsItsExtendedAttributesAndFilesystem() throws Exception {
        Path dir = fresh("xattr-unlinked");
        String out = Py.eval(dir, String.join("\n",
                "fd = os.open(d + '/x', os.O_CREAT | os.O_RDWR, 0o640)",
                "os.write(fd, b'x' * 5000)",
                "os.setxattr(fd, 'user.before', b'named')",
                "os.unlink(d + '/x')",
                "os.setxattr(fd, 'user.after', b'v' * 300)",
                "print(os.getxattr(fd, 'user.before'), len(os.getxattr(fd, 'user.after')), sorted(os.listxattr(fd)))",
                "def errno(f):",
                "    try:",
                "        f()",
                "        return 'ok'",
                "    except OSError as e:",
                "        return __import__('errno').errorcode[e.errno]",
                "print(errno(lambda: os.setxattr(fd, 'user.before', b'again', os.XATTR_CREATE)),",
                "      errno(lambda: os.setxattr(fd, 'user.none', b'1', os.XATTR_REPLACE)),",
                "      errno(lambda: os.getxattr(fd, 'user.none')))",
                "os.removexattr(fd, 'user.before')",
                "print(sorted(os.listxattr(fd)), errno(lambda: os.removexattr(fd, 'user.before')))",
                "print(os.fstatvfs(fd).f_blocks == os.statvfs(d).f_blocks)",
                "os.posix_fallocate(fd, 0, 100000)",
                "print(os.fstat(fd).st_size, os.fstat(fd).st_nlink, os.pread(fd, 2, 4999))"));
        assertEquals("b'named' 300 ['user.after', 'user.before']\n"
                + "EEXIST ENODATA ENODATA\n"
                + "['user.after'] ENODATA\n"
                + "True\n"
                + "100000 0 b'x\\x00'", out);
    }

    /**
     * Regression: with the writeback cache, SEEK_DATA and SEEK_HOLE were answered from the daemon's file,
     * which lacks what the kernel has not written back yet: ENXIO inside the file the program sees.
     */
    @Test
    void seekDataAndHoleSeeBytesJustWritten() throws Exception {
        Path dir = fresh("seek-fresh");
        String out = Py.eval(dir, String.join("\n",
                "fd = os.open(d + '/s', os.O_CREAT | os.O_RDWR, 0o644)",
                "os.pwrite(fd, b'y' * 8192, 1 << 20)",
                "end = (1 << 20) + 8192",
                "print(os.lseek(fd, 1 << 20, os.SEEK_DATA), os.lseek(fd, 1 << 20, os.SEEK_HOLE) == end,",
                "      os.lseek(fd, 0, os.SEEK_DATA) <= 1 << 20, os.lseek(fd, end - 1, os.SEEK_DATA) == end - 1)",
                "try:",
                "    os.lseek(fd, end, os.SEEK_DATA)",
                "    print('data past the end')",
                "except OSError as e:",
                "    print(__import__('errno').errorcode[e.errno])"));
        assertEquals((1 << 20) + " True True True\nENXIO", out);
    }

    /**
     * Regression: with the writeback cache, deleting a file made the mount's next syncfs(2) fail with
     * ESTALE or ENOENT: the kernel writes the deleted file's ctime back right after the UNLINK (or the
     * RENAME over it), libfuse2 no longer had a name for the node, and the kernel keeps that failure as
     * a write-back error of the whole filesystem.
     */
    @Test
    void syncfsAfterDeletingWrittenFilesSucceeds() throws Exception {
        Path dir = fresh("syncfs-after-delete");
        String out = Py.eval(dir, String.join("\n",
                "import ctypes",
                "libc = ctypes.CDLL(None, use_errno=True)",
                "dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)",
                "for i in range(5):",
                "    with open(d + '/gone', 'wb') as f:",
                "        f.write(b'z' * 10000)",
                "    os.unlink(d + '/gone')",
                "    with open(d + '/a', 'wb') as f:",
                "        f.write(b'a' * 100)",
                "    with open(d + '/b', 'wb') as f:",
                "        f.write(b'b' * 100)",
                "    os.rename(d + '/a', d + '/b')",
                "r = libc.syncfs(dfd)",
                "print(r, os.strerror(ctypes.get_errno()) if r else 'ok')"));
        assertEquals("0 ok", out);
    }
}
