package io.xdevfs.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The temporary directories the tests make (mounts, bases, loop images), for {@link TestDirsCleanup}. */
final class TestDirs {
    private static final List<Path> MADE = new CopyOnWriteArrayList<>();

    /** A new directory /tmp/PREFIX*, deleted after the run when every test passed. */
    static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
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
