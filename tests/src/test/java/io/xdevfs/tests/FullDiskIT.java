package io.xdevfs.tests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A full backing filesystem: the writer gets ENOSPC, and what was already stored stays intact. */
@ExtendWith(NoLeftovers.class)
class FullDiskIT {
    /** The 4 MiB tmpfs of this test, or null. */
    private Path small;

    /**
     * An overwrite that runs past the end of a file on a full disk: the part inside the file needs no
     * new space, the part past it does. The file must hold exactly what the write's answer says, a short
     * count or ENOSPC, as on a disk; then a remount on the still full disk reads it again. The daemon's
     * own writes (regular without passthrough, sparse, direct) answered ENOSPC with the part inside the
     * file already in place of the old bytes, and the direct type refused to mount a full disk.
     */
    @ParameterizedTest
    @ValueSource(strings = {"regular|fuse_passthrough = false", "sparse", "direct", "compressed"})
    void aWriteThatFillsTheDiskStoresWhatItsAnswerSays(String type) throws Exception {
        FuseAvailability.require();
        String[] parts = type.split("\\|");
        List<String> local = new ArrayList<>(List.of("storage_type = " + parts[0]));
        local.addAll(List.of(parts).subList(1, parts.length));
        Path root = smallDiskWith(local);
        Mounted fs = null;
        try {
            fs = Mounted.startOn(root).expectingFailuresWith("ENOSPC"); // a compressed file's compaction needs room
            String expected = Py.eval(fs.mnt, ""
                    + "import random, hashlib\n"
                    + "rnd = random.Random(7)\n"
                    + "kept = rnd.randbytes(1 << 20)\n"
                    + "fd = os.open(d + '/kept', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "os.write(fd, kept)\n"
                    + "os.fsync(fd)\n"
                    + "os.close(fd)\n"
                    + "i = 0\n"
                    + "while True:\n"
                    + "    try:\n"
                    + "        f = os.open(d + '/fill%d' % i, os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "        i += 1\n"
                    + "        while True:\n"
                    + "            os.write(f, rnd.randbytes(65536))\n"
                    + "    except OSError as e:\n"
                    + "        assert e.errno == errno.ENOSPC, e\n"
                    + "        break\n"
                    + "at = (1 << 20) - 100000\n"
                    + "data = rnd.randbytes(200000)\n"
                    + "fd = os.open(d + '/kept', os.O_WRONLY)\n"
                    + "try:\n"
                    + "    n = os.pwrite(fd, data, at)\n"
                    + "    assert 0 < n < len(data), n\n"
                    + "except OSError as e:\n"
                    + "    assert e.errno == errno.ENOSPC, e\n"
                    + "    n = 0\n"
                    + "os.close(fd)\n"
                    + "want = kept[:at] + data[:n] + kept[at + n:]\n"
                    + "got = open(d + '/kept', 'rb').read()\n"
                    + "assert got == want, 'stored %d; differs from byte %d' % (n, next(k for k in range(len(want)) if k >= len(got) or got[k] != want[k]))\n"
                    + "print(hashlib.sha256(want).hexdigest())");
            Mounted first = fs;
            fs = null;
            first.close();
            fs = Mounted.startOn(root).expectingFailuresWith("ENOSPC"); // on the disk still full
            assertEquals(expected, Run.ok("sha256sum", fs.path("kept").toString()).split(" ")[0]);
        } finally {
            if (fs != null) {
                fs.close();
            }
        }
    }

    @Test
    void writesBeyondTheBackingSpaceFailWithEnospcAndLoseNothing() throws Exception {
        FuseAvailability.require();
        Path root = smallDiskWith(List.of());
        Mounted fs = null;
        try {
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
        }
    }

    /** A 4 MiB tmpfs holding a mount's root (mnt, xdevfs.ini with {@code local} below its base_directory). */
    private Path smallDiskWith(List<String> local) throws Exception {
        small = TestDirs.create("xdevfs-it-small-");
        Run.ok("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString());
        Path root = Files.createDirectories(small.resolve("root"));
        Files.createDirectory(root.resolve("mnt"));
        List<String> ini = new ArrayList<>(List.of("[local]", "base_directory = " + root.resolve("base")));
        ini.addAll(local);
        Files.write(root.resolve("xdevfs.ini"), ini);
        return root;
    }

    @AfterEach
    void unmountSmallDisk() {
        if (small != null) {
            Run.of("umount", small.toString());
        }
    }
}
