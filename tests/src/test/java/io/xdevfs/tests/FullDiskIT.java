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
        } finally {
            if (fs != null) {
                fs.close();
            }
            Run.of("umount", small.toString());
        }
    }
}
