package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fuse_writeback_cache = true on a real mount: small writes reach the daemon gathered, an fsync'd
 * byte survives kill -9 of the daemon, the kernel places O_APPEND writes and reads partly written
 * pages through write-only handles, and no file is opened in passthrough.
 */
@ExtendWith(NoLeftovers.class)
class WritebackCacheIT {
    private static final List<String> WRITEBACK = List.of("fuse_writeback_cache = true");


    @Test
    void smallWritesArriveGatheredAndAnFsyncedByteSurvivesKillNine() throws Exception {
        Mounted killed = Mounted.start(WRITEBACK);
        try {
            assertEquals(0, MonitoringIT.stat(killed, "passthrough_active"), "the kernel does not combine passthrough with it");
            assertTrue(killed.log().contains("no file is opened in FUSE passthrough"), killed.log());
            String sha = Py.eval(killed.mnt, "import hashlib\nh = hashlib.sha256()\n"
                    + "f = os.open(d + '/wal', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                    + "for i in range(2000):\n    b = os.urandom(64) * 64\n    os.write(f, b)\n    h.update(b)\n"
                    + "os.fsync(f)\n"
                    + "os.kill(" + killed.pid() + ", 9)\n"
                    + "print(h.hexdigest(), flush=True)\n"
                    + "os._exit(0)"); // the handle is never closed: only the fsync stands behind these bytes
            assertTrue(killed.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(sha, Run.sha256(killed.base.resolve("wal")), "every byte before the fsync is in the backing file");
            assertEquals(2000L * 4096, Files.size(killed.base.resolve("wal")));
        } finally {
            killed.kill(); // its daemon was killed: no clean unmount to check
        }
        try (Mounted fs = Mounted.start(WRITEBACK)) {
            long before = MonitoringIT.stat(fs, "write_ops");
            Py.eval(fs.mnt, "f = os.open(d + '/small', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                    + "for i in range(2000):\n    os.write(f, bytes([i % 251]) * 4096)\nos.close(f)");
            long writes = MonitoringIT.stat(fs, "write_ops") - before;
            assertTrue(writes <= 200, "2000 writes of 4 KiB reached the daemon as " + writes);
            assertEquals("True", Py.eval(fs.mnt, "data = open(d + '/small', 'rb').read()\n"
                    + "print(data == b''.join(bytes([i % 251]) * 4096 for i in range(2000)))"));
        }
    }

    @Test
    void appendsArePlacedByTheKernelAndPartlyWrittenPagesAreReadThroughWriteOnlyHandles() throws Exception {
        try (Mounted fs = Mounted.start(WRITEBACK)) {
            Files.write(fs.base.resolve("old"), new byte[10000]); // not yet seen by the kernel: no cached page
            assertEquals("True 10000", Py.eval(fs.mnt, "f = os.open(d + '/old', os.O_WRONLY)\n"
                    + "os.pwrite(f, b'hello', 4097)\nos.close(f)\n"
                    + "data = open(d + '/old', 'rb').read()\n"
                    + "print(data == bytes(4097) + b'hello' + bytes(10000 - 4102), len(data))"));
            assertEquals("True", Py.eval(fs.base, "data = open(d + '/old', 'rb').read()\n"
                    + "print(data == bytes(4097) + b'hello' + bytes(10000 - 4102))"), "in the backing file after close");

            assertEquals("10000 151", Py.eval(fs.mnt, "a = os.open(d + '/log', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)\n"
                    + "b = os.open(d + '/log', os.O_WRONLY | os.O_APPEND)\n"
                    + "for i in range(50):\n    os.write(a, b'a' * 100)\n    os.write(b, b'b' * 100)\n"
                    + "size = os.fstat(a).st_size\nos.ftruncate(b, 150)\nos.write(a, b'z')\n"
                    + "print(size, os.stat(d + '/log').st_size)\nos.close(a)\nos.close(b)"));
            assertEquals("a".repeat(100) + "b".repeat(50) + "z", Files.readString(fs.path("log")));
            assertEquals("a".repeat(100) + "b".repeat(50) + "z", Files.readString(fs.base.resolve("log")));
        }
    }
}
