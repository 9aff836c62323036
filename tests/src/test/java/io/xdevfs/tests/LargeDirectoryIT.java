package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A directory far larger than the daemon's heap: the base directory of an existing tree of 150,000
 * files is adopted at the first mount and listed through the mount by a daemon with a 24 MiB heap.
 * Both used to keep a list per file on the heap: the adoption failed the mount with OutOfMemoryError,
 * and a listing of 1.2 million names took a daemon with the default heap down with the mount.
 */
@ExtendWith(NoLeftovers.class)
class LargeDirectoryIT {
    private static final int FILES = 150_000;

    @Test
    void aDirectoryLargerThanTheHeapIsAdoptedAndListed() throws Exception {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Path big = Files.createDirectories(root.resolve("base/big"));
        Files.createDirectory(root.resolve("mnt"));
        Py.eval(big, "for i in range(" + FILES + "):\n    os.close(os.open(d + '/an-existing-file-%07d' % i, os.O_CREAT | os.O_WRONLY, 0o644))");
        Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base")));
        try (Mounted fs = Mounted.startWithJvmOptions(root, List.of("-Xmx24m"))) {
            assertEquals(String.valueOf(FILES + 2), Run.ok("sh", "-c", "ls -f '" + fs.path("big") + "' | wc -l").strip(),
                    "every name, with . and ..");
            assertEquals("OK", Py.errno(fs.path("big"), "os.stat(d + '/an-existing-file-0149999')"), "the daemon lives on");
        }
    }
}
