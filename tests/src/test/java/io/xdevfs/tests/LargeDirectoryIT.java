package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A directory far larger than the daemon's heap: the base directory of an existing tree of 150,000
 * files is adopted at the first mount and listed through the mount by a daemon with a 24 MiB heap.
 * Both used to keep a list per file on the heap: the adoption failed the mount with OutOfMemoryError,
 * and a listing of 1.2 million names took a daemon with the default heap down with the mount.
 */
@ExtendWith(NoLeftovers.class)
class LargeDirectoryIT {
    private static final int FILES = 150_000;

    /**
     * A hybrid's recovery at mount walks the whole namespace and lists each tier: it kept a boxed set
     * of every file's id and a list per directory. Here 150,000 stubs (written straight into the
     * namespace and adopted, as a copied namespace would be) beside a file with bytes in the hot tier and
     * an orphan object that no name carries: recovered by a daemon with a 24 MiB heap, the orphan gone,
     * the file's bytes there.
     */
    @Test
    void aHybridNamespaceLargerThanTheHeapIsRecoveredAtMount() throws Exception {
        List<String> hybrid = List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = regular",
                "hot_directory = ${root}/hot", "cold_storage_type = compressed", "cold_directory = ${root}/cold",
                "cold_timeout_sec = 3600");
        Path root;
        try (Mounted first = Mounted.start(hybrid)) {
            root = first.root;
            Files.writeString(first.path("kept"), "bytes in the hot tier\n");
            Files.createDirectory(first.path("big"));
        }
        Path orphan = root.resolve("hot/00000000deadbeef");
        Files.writeString(orphan, "no name carries this id");
        Py.eval(root.resolve("base/big"), "for i in range(" + FILES + "):\n    os.close(os.open(d + '/a-stub-%07d' % i, os.O_CREAT | os.O_WRONLY, 0o644))");
        Run.ok("setfattr", "-x", "user.xdevfs.next_id", root.resolve("base").toString()); // adopt the stubs at mount
        try (Mounted fs = Mounted.startWithJvmOptions(root, List.of("-Xmx24m"))) {
            assertFalse(Files.exists(orphan), "the orphan object is removed: " + fs.log());
            assertEquals("bytes in the hot tier\n", Files.readString(fs.path("kept")));
            assertEquals(String.valueOf(FILES + 2), Run.ok("sh", "-c", "ls -f '" + fs.path("big") + "' | wc -l").strip());
            assertEquals("0", Py.eval(fs.path("big"), "print(os.stat(d + '/a-stub-0149999').st_size)").strip());
        }
    }

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
