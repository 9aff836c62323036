package io.xdevfs.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The temporary directories the tests make (mounts, bases, loop images), for {@link TestDirsCleanup}. */
final class TestDirs {
    private static final List<Path> MADE = new CopyOnWriteArrayList<>();
    /**
     * /tmp, or /var/tmp where /tmp is a memory filesystem (Debian 13 and others): the tests' backups and
     * intent logs must be on a disk, which the mount checks.
     */
    private static final Path PARENT = onDisk(Path.of(System.getProperty("java.io.tmpdir")));

    private static Path onDisk(Path tmp) {
        try {
            String type = Files.getFileStore(tmp).type();
            return type.equals("tmpfs") || type.equals("ramfs") ? Path.of("/var/tmp") : tmp;
        } catch (IOException e) {
            return tmp;
        }
    }

    /** A new directory /tmp/PREFIX* (see {@link #PARENT}), deleted after the run when every test passed. */
    static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(PARENT, prefix);
        MADE.add(dir);
        return dir;
    }

    /** A test's root directory (/tmp/xdevfs-it-*). */
    static Path create() throws IOException {
        return create("xdevfs-it-");
    }

    static List<Path> made() {
        return List.copyOf(MADE);
    }

    private TestDirs() {
    }
}
