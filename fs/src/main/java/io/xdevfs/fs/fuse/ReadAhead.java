package io.xdevfs.fs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code read_ahead_kb}: the kernel's readahead for files on the mount, which is a property of the
 * mount's backing device info (/sys/class/bdi/MAJOR:MINOR/read_ahead_kb). FUSE's own max_readahead
 * option can only lower it, so the daemon writes the value there once the mount is up (root only).
 */
public final class ReadAhead {

    /** The FUSE option that agrees with {@code kb}, so the INIT handshake never cuts the value back. */
    public static String fuseOption(int kb) {
        return "max_readahead=" + (long) kb * 1024;
    }

    /**
     * Sets the mount's readahead and reads it back; the INIT reply may land after our write, so it
     * retries a few times. Returns null when set, else why not.
     */
    public static String apply(Path mountPoint, int kb) throws InterruptedException {
        String device;
        try {
            device = deviceOf(mountPoint);
        } catch (IOException e) {
            return "cannot read /proc/self/mountinfo: " + e.getMessage();
        }
        if (device == null) {
            return mountPoint + " is not in /proc/self/mountinfo";
        }
        Path knob = Path.of("/sys/class/bdi", device, "read_ahead_kb");
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                Files.writeString(knob, Integer.toString(kb));
                Thread.sleep(50);
                if (Files.readString(knob).strip().equals(Integer.toString(kb))) {
                    return null;
                }
            } catch (IOException e) {
                return "cannot write " + knob + ": " + e.getMessage() + " (it needs root)";
            }
        }
        return knob + " does not keep " + kb;
    }

    /** MAJOR:MINOR of the mount at {@code mountPoint} (the last one, if mounted over). */
    static String deviceOf(Path mountPoint) throws IOException {
        String device = null;
        List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(mountPoint.toString())) {
                device = f[2];
            }
        }
        return device;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private ReadAhead() {
    }
}
