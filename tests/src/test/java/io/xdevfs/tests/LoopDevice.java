package io.xdevfs.tests;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * A loop device over a sparse file, for storage_type = block: what a test formats and mounts. Without
 * loop devices (no losetup, not root) block tests are skipped loudly, unless xdevfs.requireFuse/CI is
 * set: then that is a failure, as for FUSE.
 */
final class LoopDevice implements AutoCloseable {
    final Path image;
    final Path device;

    private LoopDevice(Path image, Path device) {
        this.image = image;
        this.device = device;
    }

    /** A new loop device of {@code bytes} over {@code image} (created sparse). */
    static LoopDevice create(Path image, long bytes) throws IOException {
        require();
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return new LoopDevice(image, Path.of(Run.ok("losetup", "-f", "--show", image.toString()).strip()));
    }

    private static void require() {
        Run probe = Run.of("losetup", "-f");
        if (probe.exit() == 0) {
            return;
        }
        String message = "LOOP DEVICES NOT AVAILABLE - BLOCK TESTS NOT RUN: " + probe.output().strip();
        if (FuseAvailability.required()) {
            Assertions.fail(message + " (xdevfs.requireFuse/CI is set, so this is a failure)");
        }
        System.err.println("\n!!!!!!!!!! " + message + " !!!!!!!!!!\n");
        Assumptions.abort(message);
    }

    /** xdevfs format on it (the CLI, as a user runs it); returns its output. */
    String format(String... options) {
        Run r = Mounted.cli(command("format", options));
        if (r.exit() != 0) {
            throw new AssertionError("xdevfs format failed: " + r.output());
        }
        return r.output();
    }

    /** xdevfs fsck (with {@code --repair} when asked). */
    Run fsck(String... options) {
        return Mounted.cli(command("fsck", options));
    }

    /** {@code xdevfs SUBCOMMAND OPTIONS... DEVICE}. */
    private String[] command(String subcommand, String... options) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(subcommand));
        args.addAll(java.util.List.of(options));
        args.add(device.toString());
        return args.toArray(String[]::new);
    }

    private boolean detached;

    /** Detaches the device (once: a mount that was handed it may have done so already). */
    @Override
    public synchronized void close() {
        if (!detached) {
            detached = true;
            Run.of("losetup", "-d", device.toString());
        }
    }
}
