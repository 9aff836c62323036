package io.xdevfs.tests;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Decides whether mount tests can run here. Without FUSE they are skipped with a loud message, unless
 * -Dxdevfs.requireFuse=true or CI=true: then a missing FUSE fails the run, so CI never passes on zero mounts.
 */
final class FuseAvailability {
    private static final List<String> LIBS = List.of("/lib/x86_64-linux-gnu/libfuse.so.2",
            "/usr/lib/x86_64-linux-gnu/libfuse.so.2", "/lib/aarch64-linux-gnu/libfuse.so.2",
            "/usr/lib/aarch64-linux-gnu/libfuse.so.2", "/usr/lib/libfuse.so.2", "/lib64/libfuse.so.2");

    static boolean required() {
        return Boolean.getBoolean("xdevfs.requireFuse") || "true".equals(System.getenv("CI"));
    }

    static void require() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        String message = "FUSE NOT AVAILABLE - MOUNT TESTS NOT RUN: " + missing;
        if (required()) {
            Assertions.fail(message + " (xdevfs.requireFuse/CI is set, so this is a failure)");
        }
        System.err.println("\n!!!!!!!!!! " + message + " !!!!!!!!!!\n");
        Assumptions.abort(message);
    }

    static boolean available() {
        return missing() == null;
    }

    private static String missing() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return "/dev/fuse does not exist";
        }
        if (!Files.isWritable(Path.of("/dev/fuse"))) {
            return "/dev/fuse is not writable by this user";
        }
        if (LIBS.stream().noneMatch(l -> Files.exists(Path.of(l)))) {
            return "libfuse.so.2 is not installed (apt-get install libfuse2)";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the mount tests need root (allow_other, other users, mount -t)";
        }
        return null;
    }

    private FuseAvailability() {
    }
}
