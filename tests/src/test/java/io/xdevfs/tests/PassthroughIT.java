package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel fast paths of the default regular mount, on a real mount: FUSE passthrough (the kernel
 * reads and writes the backing file itself) and FUSE_HANDLE_KILLPRIV_V2 (the daemon clears set-ID
 * bits; the kernel stops asking for security.capability before each write). Each is checked for what
 * a program sees, and for the requests the daemon no longer gets.
 */
@ExtendWith(NoLeftovers.class)
class PassthroughIT {


    private static String py(Mounted fs, String code) {
        return Py.eval(fs.mnt, code);
    }

    @Test
    void bytesGoStraightToTheBackingFileAndEveryOpenOfAFileSharesIt() throws Exception {
        try (Mounted fs = Mounted.start()) {
            assertEquals(1, MonitoringIT.stat(fs, "passthrough_active"), fs.log());
            Run.ok("dd", "if=/dev/urandom", "of=" + fs.path("seg"), "bs=1M", "count=24", "status=none");
            assertEquals(Run.sha256(fs.base.resolve("seg")), Run.sha256(fs.path("seg")));
            assertTrue(MonitoringIT.stat(fs, "passthrough_opens") >= 2, "dd and sha256sum opened it in passthrough");
            assertEquals(0, MonitoringIT.stat(fs, "write_ops"), "the daemon saw none of the 24 writes");

            // A reader opened first (read-only), a writer second: one registration serves both.
            String seen = py(fs, "r = os.open(d + '/two', os.O_RDONLY | os.O_CREAT, 0o644)\n"
                    + "w = os.open(d + '/two', os.O_WRONLY)\n"
                    + "os.pwrite(w, b'written-late', 0)\n"
                    + "print(os.pread(r, 64, 0).decode(), os.fstat(r).st_size, os.stat(d + '/two').st_size)\n"
                    + "os.close(w)\nos.close(r)");
            assertEquals("written-late 12 12", seen);

            // Appends from two handles, then a truncate through one of them while both are open.
            String appended = py(fs, "a = os.open(d + '/log', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)\n"
                    + "b = os.open(d + '/log', os.O_WRONLY | os.O_APPEND)\n"
                    + "for i in range(50):\n    os.write(a, b'a' * 100)\n    os.write(b, b'b' * 100)\n"
                    + "size = os.fstat(a).st_size\nos.ftruncate(b, 150)\nos.write(a, b'z')\n"
                    + "print(size, os.stat(d + '/log').st_size)\nos.close(a)\nos.close(b)");
            assertEquals("10000 151", appended);
            assertEquals("a".repeat(100) + "b".repeat(50) + "z", Files.readString(fs.path("log")));
            assertEquals(151, Files.size(fs.base.resolve("log")));
            assertEquals(0, MonitoringIT.stat(fs, "passthrough_files"), "every registration closed with its last handle");
        }
    }

    /**
     * A passed-through file's RELEASE is answered at once and its close waits until the session has no
     * request to read (ReleaseRequests): every close still happens, before and after unlinks, and
     * nothing stays open once programs stop.
     */
    @Test
    void releasedFilesAreClosedOnceTheMountIsQuiet() throws Exception {
        try (Mounted fs = Mounted.start()) {
            assertEquals("150", py(fs, "for i in range(300):\n"
                    + "    os.close(os.open(d + '/f%d' % i, os.O_WRONLY | os.O_CREAT, 0o644))\n"
                    + "    os.close(os.open(d + '/f%d' % i, os.O_RDONLY))\n"
                    + "for i in range(0, 300, 2):\n    os.unlink(d + '/f%d' % i)\n"
                    + "print(len(os.listdir(d)))"));
            assertTrue(MonitoringIT.stat(fs, "fuse_releases_deferred") >= 600, fs.log());
            long deadline = System.nanoTime() + 10_000_000_000L;
            long open = MonitoringIT.stat(fs, "open_inodes");
            while (open != 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                open = MonitoringIT.stat(fs, "open_inodes");
            }
            assertEquals(0, open, "every released file closed");
            try (var names = Files.list(fs.base)) {
                assertEquals(150, names.filter(p -> p.getFileName().toString().startsWith("f")).count());
            }
        }
    }

    @Test
    void hardLinksUnlinkedOpenFilesAndSharedMappingsStayCoherent() throws Exception {
        try (Mounted fs = Mounted.start()) {
            Files.writeString(fs.path("a"), "0123456789");
            Files.createLink(fs.path("b"), fs.path("a"));
            // Two names are two kernel inodes, each in passthrough over the one backing file.
            assertEquals("XY23456789 XY23456789", py(fs, "fa = os.open(d + '/a', os.O_RDWR)\n"
                    + "fb = os.open(d + '/b', os.O_RDWR)\nos.pread(fb, 10, 0)\nos.pwrite(fa, b'XY', 0)\n"
                    + "print(os.pread(fb, 10, 0).decode(), open(d + '/b').read())\nos.close(fa)\nos.close(fb)"));

            assertEquals("kept 4", py(fs, "f = os.open(d + '/gone', os.O_RDWR | os.O_CREAT, 0o644)\n"
                    + "os.unlink(d + '/gone')\nos.pwrite(f, b'kept', 0)\n"
                    + "print(os.pread(f, 4, 0).decode(), os.fstat(f).st_size)\nos.close(f)"));

            // A shared mapping writes the backing file's pages; reads through the handle see them.
            assertEquals("through the mapping", py(fs, "import mmap\n"
                    + "f = os.open(d + '/mapped', os.O_RDWR | os.O_CREAT, 0o644)\nos.ftruncate(f, 8192)\n"
                    + "m = mmap.mmap(f, 8192)\nm[4096:4115] = b'through the mapping'\nm.flush()\nm.close()\n"
                    + "print(os.pread(f, 19, 4096).decode())\nos.close(f)"));
            byte[] backing = Files.readAllBytes(fs.base.resolve("mapped"));
            assertEquals("through the mapping", new String(backing, 4096, 19, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anFsyncedWriteSurvivesKillNine() throws Exception {
        Mounted fs = Mounted.start();
        try {
            py(fs, "f = os.open(d + '/wal', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                    + "for i in range(64):\n    os.write(f, bytes([i]) * 8192)\n    os.fdatasync(f)\n");
            assertTrue(MonitoringIT.stat(fs, "sync_ops") >= 64, "fdatasync still reaches the daemon");
            Run.ok("kill", "-9", Long.toString(fs.pid()));
            assertTrue(fs.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            fs.kill();
        }
        try (Mounted again = Mounted.startOn(fs.root)) {
            byte[] wal = Files.readAllBytes(again.path("wal"));
            assertEquals(64 * 8192, wal.length);
            for (int i = 0; i < 64; i++) {
                assertEquals((byte) i, wal[i * 8192 + 8191]);
            }
        }
    }

    /**
     * Under FUSE_HANDLE_KILLPRIV_V2 the daemon clears set-ID bits as the kernel would: a write, a
     * truncate or an O_TRUNC open by a user without CAP_FSETID drops set-user-ID, and set-group-ID where
     * group execute is set; root's writes keep them. A set-ID file is served by the daemon (a
     * passthrough write would not clear them).
     */
    @Test
    void unprivilegedWritesClearSetIdBitsAndTheKernelStopsAskingForCapabilities() throws Exception {
        try (Mounted fs = Mounted.start()) {
            Files.setPosixFilePermissions(fs.root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(fs.mnt, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            for (String name : List.of("write", "truncate", "otrunc", "nogx", "root")) {
                Files.writeString(fs.path(name), "data");
            }
            Run.ok("chmod", "6777", fs.path("write").toString(), fs.path("truncate").toString(),
                    fs.path("otrunc").toString(), fs.path("root").toString());
            Run.ok("chmod", "6767", fs.path("nogx").toString());
            Run.ok("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "cd " + fs.mnt
                    + " && echo more >> write && truncate -s 2 truncate && echo x > otrunc && echo y >> nogx");
            Run.ok("sh", "-c", "cd " + fs.mnt + " && echo root >> root");
            assertEquals("rwxrwxrwx 777", mode(fs, "write"));
            assertEquals("rwxrwxrwx 777", mode(fs, "truncate"));
            assertEquals("rwxrwxrwx 777", mode(fs, "otrunc"));
            assertEquals("rwxrwSrwx 2767", mode(fs, "nogx"), "set-group-ID without group execute stays, as on ext4");
            assertEquals("rwsrwsrwx 6777", mode(fs, "root"), "CAP_FSETID keeps them");
            assertEquals("datamore\n", Files.readString(fs.path("write")));
            assertTrue(MonitoringIT.stat(fs, "write_ops") >= 2, "the set-ID files' writes went through the daemon");

            // security.capability is still removed by a write (the kernel asks once per inode).
            Files.writeString(fs.path("tool"), "#!/bin/sh\n");
            Run.ok("setcap", "cap_net_raw+ep", fs.path("tool").toString());
            assertTrue(Run.ok("getcap", fs.path("tool").toString()).contains("cap_net_raw"));
            Run.ok("sh", "-c", "echo >> " + fs.path("tool"));
            assertEquals("", Run.ok("getcap", fs.path("tool").toString()).strip());

            long before = MonitoringIT.stat(fs, "xattr_ops");
            py(fs, "f = os.open(d + '/many', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                    + "for i in range(500):\n    os.write(f, b'x' * 4096)\nos.close(f)");
            assertTrue(MonitoringIT.stat(fs, "xattr_ops") - before <= 2, "no security.capability lookup per write");
        }
    }

    /**
     * A handle that wrote while its file had no set-ID bit is not looked at again for each write, but
     * a chmod through the mount makes its next write look again (on the daemon's path: a file opened in
     * passthrough keeps a bit added while it is open, as docs/semantics.md says).
     */
    @Test
    void aModeChangeThroughTheMountIsSeenByAHandleThatWroteBefore() throws Exception {
        try (Mounted fs = Mounted.start(List.of("fuse_passthrough = false"))) {
            Files.setPosixFilePermissions(fs.root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(fs.path("held"), "");
            Run.ok("chmod", "666", fs.path("held").toString());
            assertEquals("rwxrwxrwx 777", py(fs, "r, w = os.pipe()\npid = os.fork()\nif pid == 0:\n"
                    + "    os.setresgid(65534, 65534, 65534)\n    os.setgroups([])\n    os.setresuid(65534, 65534, 65534)\n"
                    + "    f = os.open(d + '/held', os.O_WRONLY)\n    os.write(f, b'a')\n    os.read(r, 1)\n"
                    + "    os.write(f, b'b')\n    os._exit(0)\n"
                    + "import time\ntime.sleep(0.5)\nos.chmod(d + '/held', 0o6777)\nos.write(w, b'x')\nos.waitpid(pid, 0)\n"
                    + "print(stat.filemode(os.stat(d + '/held').st_mode)[1:], oct(os.stat(d + '/held').st_mode & 0o7777)[2:])"));
        }
    }

    private static String mode(Mounted fs, String name) {
        return Run.ok("stat", "-c", "%A %a", fs.path(name).toString()).strip().substring(1);
    }

    @Test
    void switchedOffOrWithGrowingPreallocationEveryWriteGoesThroughTheDaemon() throws Exception {
        try (Mounted fs = Mounted.start(List.of("fuse_passthrough = false", "fuse_handle_killpriv = false"))) {
            assertEquals(0, MonitoringIT.stat(fs, "passthrough_active"));
            py(fs, "f = os.open(d + '/w', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                    + "for i in range(20):\n    os.write(f, b'x' * 4096)\nos.close(f)");
            assertEquals(20, MonitoringIT.stat(fs, "write_ops"));
            assertTrue(MonitoringIT.stat(fs, "xattr_ops") >= 20, "the kernel asks for security.capability before each write");
            assertEquals(0, MonitoringIT.stat(fs, "passthrough_opens"));
        }
        // extent_size grows the preallocation as writes arrive: those files are not passed through.
        try (Mounted fs = Mounted.start(List.of("extent_size = 16M"))) {
            assertEquals(1, MonitoringIT.stat(fs, "passthrough_active"));
            Files.write(fs.path("seg"), new byte[4096]);
            assertEquals(0, MonitoringIT.stat(fs, "passthrough_opens"));
            assertEquals(1, MonitoringIT.stat(fs, "write_ops"));
            assertTrue(Long.parseLong(Run.ok("stat", "-c", "%b", fs.base.resolve("seg").toString()).strip()) * 512
                    >= 16 << 20, "the extent was reserved");
        }
    }
}
