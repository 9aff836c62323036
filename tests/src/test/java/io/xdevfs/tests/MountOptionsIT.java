package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings that change how the mount works: the multithreaded dispatch, use_sync_writes and read_ahead_kb. */
@ExtendWith(NoLeftovers.class)
class MountOptionsIT {

    @Test
    void multithreadedDispatchPassesConcurrentVerifiedWritesAndATreeCopy() throws Exception {
        Mounted fs = Mounted.start(List.of(), "--dispatch", "multi");
        try {
            Run fio = Run.of("fio", "--verify_state_save=0", "--name=mt", "--directory=" + fs.mnt, "--numjobs=4", "--size=8M", "--bs=4k",
                    "--rw=randwrite", "--ioengine=psync", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                    "--group_reporting");
            assertEquals(0, fio.exit(), fio.output());
            Run.ok("cp", "-a", "/usr/share/doc/fio", fs.path("doc").toString());
            Run diff = Run.of("diff", "-r", "/usr/share/doc/fio", fs.path("doc").toString());
            assertEquals(0, diff.exit(), diff.output());
            assertTrue(fs.log().contains("FUSE -o "), "multi runs libfuse's pool, without -s: " + fs.log());
        } finally {
            fs.close();
        }
    }

    @Test
    void useSyncWritesOpensBackingFilesWithODsync() throws Exception {
        Mounted fs = Mounted.start(List.of("use_sync_writes = true"));
        try {
            Path f = fs.path("synced");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap("durable".getBytes()));
                String flags = backingFlags(fs, "synced");
                int octal = Integer.parseInt(flags, 8);
                assertEquals(010000, octal & 010000, "O_DSYNC on the backing descriptor (flags " + flags + ")");
            }
            assertEquals("durable", Files.readString(fs.base.resolve("synced")));
        } finally {
            fs.close();
        }
    }

    /** read_ahead_kb sets the kernel's readahead of the mount, above and below the kernel's 128 KiB default. */
    @Test
    void readAheadKbIsTheMountsKernelReadahead() throws Exception {
        for (int kb : new int[]{1024, 16}) {
            try (Mounted fs = Mounted.start(List.of("read_ahead_kb = " + kb))) {
                String device = Run.ok("findmnt", "-n", "-o", "MAJ:MIN", "--mountpoint", fs.mnt.toString()).strip();
                assertEquals(Integer.toString(kb), Files.readString(Path.of("/sys/class/bdi", device, "read_ahead_kb")).strip());
                Run.ok("dd", "if=/dev/urandom", "of=" + fs.path("f"), "bs=1M", "count=4", "status=none");
                assertEquals(Run.ok("sha256sum", fs.base.resolve("f").toString()).split(" ")[0],
                        Run.ok("sha256sum", fs.path("f").toString()).split(" ")[0]);
            }
        }
    }

    /**
     * max_open_files bounds the daemon's backing descriptors, not the files a program may open: 40 open
     * files through 8 descriptors, with renames and unlinks of open files in between.
     */
    @Test
    void maxOpenFilesBoundsBackingDescriptorsWhileMoreFilesStayOpen() throws Exception {
        try (Mounted fs = Mounted.start(List.of("max_open_files = 8"))) {
            Path dir = fs.path("many");
            Files.createDirectory(dir);
            String out = Py.eval(dir, String.join("\n",
                    "pid, base = " + fs.pid() + ", '" + fs.base + "/'",
                    "def backing():",
                    "    n = 0",
                    "    for fd in os.listdir('/proc/%d/fd' % pid):",
                    "        try:",
                    "            t = os.readlink('/proc/%d/fd/%s' % (pid, fd))",
                    "            n += t.startswith(base) and not os.path.isdir(t)  # parent directories are held apart",
                    "        except OSError:",
                    "            pass",
                    "    return n",
                    "fds = [os.open(d + '/f%d' % i, os.O_RDWR | os.O_CREAT, 0o644) for i in range(40)]",
                    "peak = 0",
                    "for r in range(3):",
                    "    for i, fd in enumerate(fds):",
                    "        os.pwrite(fd, b'r%df%02d;' % (r, i), r * 6)",
                    "        peak = max(peak, backing())",
                    "for i in range(10):",
                    "    os.rename(d + '/f%d' % i, d + '/moved%d' % i)",
                    "for i in range(10, 15):",
                    "    os.unlink(d + '/f%d' % i)",
                    "ok = all(os.pread(fd, 100, 0) == b''.join(b'r%df%02d;' % (r, i) for r in range(3))",
                    "         for i, fd in enumerate(fds))",
                    "print(peak, ok, backing())",
                    "for fd in fds:",
                    "    os.close(fd)"));
            String[] f = out.strip().split(" ");
            assertTrue(Integer.parseInt(f[0]) <= 8, "peak backing descriptors " + out);
            assertEquals("True", f[1], out);
            assertTrue(Integer.parseInt(f[2]) <= 8 + 5, "unlinked open files stay open, the rest within the bound: " + out);
            assertEquals("r0f03;r1f03;r2f03;", Files.readString(dir.resolve("moved3")));
            assertTrue(Files.notExists(dir.resolve("f12")));
        }
    }

    /** enable_page_cache = false: the kernel keeps no pages of the mount, so every read reaches the daemon. */
    @Test
    void withoutThePageCacheEveryReadReachesTheDaemon() throws Exception {
        try (Mounted fs = Mounted.start(List.of("enable_page_cache = false"))) {
            Path f = fs.path("f");
            Run.ok("dd", "if=/dev/urandom", "of=" + f, "bs=128k", "count=8", "status=none");
            assertEquals(0, MonitoringIT.cli("stats", "--reset", fs.mnt.toString()).exit());
            for (int i = 0; i < 3; i++) {
                Run.ok("dd", "if=" + f, "of=/dev/null", "bs=128k", "status=none");
            }
            Run json = MonitoringIT.cli("stats", "--json", fs.mnt.toString());
            assertEquals(3L << 20, MonitoringIT.field(json.output(), "read_bytes"), json.output());
        }
    }

    /**
     * enable_page_cache = false still lets programs map files MAP_SHARED (from Linux 6.6, which knows
     * FUSE_DIRECT_IO_ALLOW_MMAP; before, ENODEV): a store through the mapping is what read() returns and
     * what the backing file holds after msync, and a write() is what the mapping shows.
     */
    @Test
    void withoutThePageCacheSharedMappingsStayCoherentWithReadsAndWrites() throws Exception {
        try (Mounted fs = Mounted.start(List.of("enable_page_cache = false"))) {
            String map = "import mmap\nfd = os.open(d + '/f', os.O_RDWR | os.O_CREAT, 0o644)\n"
                    + "os.write(fd, b'.' * 8192)\nm = mmap.mmap(fd, 8192, mmap.MAP_SHARED)\n";
            if (!kernelAtLeast(6, 6)) {
                assertEquals("ENODEV", Py.errno(fs.mnt, map), "no shared mappings of direct_io files before 6.6");
                return;
            }
            String seen = Py.eval(fs.mnt, map
                    + "m[0:6] = b'stored'\nm.flush()\nread = os.pread(fd, 6, 0)\n"
                    + "os.pwrite(fd, b'written', 4096)\nprint(read.decode(), m[4096:4103].decode())");
            assertEquals("stored written", seen);
            byte[] backing = Files.readAllBytes(fs.base.resolve("f"));
            assertEquals("stored", new String(backing, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals("written", new String(backing, 4096, 7, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    /** Whether the running kernel is at least major.minor (os.version is uname -r, e.g. 6.18.44-...). */
    static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        return ma > major || ma == major && Integer.parseInt(v[1]) >= minor;
    }

    /** The open flags of the daemon's descriptor for a backing file, from /proc/PID/fdinfo. */
    static String backingFlags(Mounted fs, String name) throws Exception {
        Path target = fs.base.resolve(name);
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + fs.pid() + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        for (String line : Files.readAllLines(Path.of("/proc/" + fs.pid() + "/fdinfo/" + fd.getFileName()))) {
                            if (line.startsWith("flags:")) {
                                return line.substring(6).strip();
                            }
                        }
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a descriptor closed while we looked
                }
            }
        }
        throw new AssertionError("the daemon has no descriptor for " + target);
    }
}
