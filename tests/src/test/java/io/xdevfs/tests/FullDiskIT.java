package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A full backing filesystem: the writer gets ENOSPC, and what was already stored stays intact. */
@ExtendWith(NoLeftovers.class)
class FullDiskIT {

    @Test
    void writesBeyondTheBackingSpaceFailWithEnospcAndLoseNothing() throws Exception {
        FuseAvailability.require();
        Path small = TestDirs.create("xdevfs-it-small-");
        Run.ok("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString());
        Mounted fs = null;
        try {
            Path root = Files.createDirectories(small.resolve("root"));
            Files.createDirectory(root.resolve("mnt"));
            Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base")));
            fs = Mounted.startOn(root);
            byte[] kept = new byte[1 << 20];
            new java.util.Random(3).nextBytes(kept);
            Files.write(fs.path("kept"), kept);
            assertEquals("ENOSPC", Py.errno(fs.mnt, "fd = os.open(d + '/big', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "for i in range(64):\n    os.write(fd, b'x' * 131072)\nos.fsync(fd)"));
            assertEquals("ENOSPC", Py.errno(fs.mnt, "fd = os.open(d + '/big', os.O_WRONLY)\n"
                    + "os.posix_fallocate(fd, 0, 64 << 20)"));
            assertArrayEquals(kept, Files.readAllBytes(fs.path("kept")), "stored data is intact");
            Files.delete(fs.path("big"));
            Files.writeString(fs.path("after"), "room again");
            assertEquals("room again", Files.readString(fs.path("after")));
            // The daemon puts off the close of a passed-through file until no request waits (a thread
            // here keeps GETATTRs of a hard-linked file coming), but a file whose last name goes,
            // unlinked after its close or before it, frees its space at once, as on a disk.
            String fill = "import threading\n"
                    + "os.link(d + '/kept', d + '/kept-link')\n"
                    + "busy = True\n"
                    + "def stats():\n"
                    + "    while busy:\n"
                    + "        os.stat(d + '/kept-link')\n"
                    + "threading.Thread(target=stats, daemon=True).start()\n"
                    + "def fill(name):\n"
                    + "    fd = os.open(d + '/' + name, os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "    try:\n"
                    + "        while True:\n"
                    + "            os.write(fd, b'x' * 131072)\n"
                    + "    except OSError as e:\n"
                    + "        assert e.errno == errno.ENOSPC, e\n"
                    + "    return fd\n";
            assertEquals("OK", Py.errno(fs.mnt, fill
                    + "os.close(fill('full1'))\n"
                    + "os.unlink(d + '/full1')\n"
                    + "fd = os.open(d + '/next1', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "os.write(fd, b'y' * (1 << 20))\n"
                    + "os.close(fd)\n"
                    + "os.unlink(d + '/next1')\n"
                    + "fd = fill('full2')\n"
                    + "os.unlink(d + '/full2')\n"
                    + "os.close(fd)\n"
                    + "fd = os.open(d + '/next2', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "os.write(fd, b'y' * (1 << 20))\n"
                    + "os.close(fd)\n"
                    + "busy = False\n"
                    + "os.unlink(d + '/kept-link')"));
            assertArrayEquals(kept, Files.readAllBytes(fs.path("kept")), "stored data is intact");
        } finally {
            if (fs != null) {
                fs.close();
            }
            Run.of("umount", small.toString());
        }
    }
}
