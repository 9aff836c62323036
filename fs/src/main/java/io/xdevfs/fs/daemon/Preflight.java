package io.xdevfs.fs.daemon;

import io.xdevfs.fs.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The checks before a mount, each failing with one line that says what to do. */
public final class Preflight {
    private static final List<String> LIB_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
            "/usr/local/lib");

    public static void mountPoint(Path mnt) throws UsageException {
        MountTable.typeAt(mnt).filter(t -> t.startsWith("fuse")).ifPresent(t -> {
            if (isDead(mnt)) {
                throw new UsageException("mountpoint " + mnt + " holds a dead " + t + " mount (its daemon is gone); "
                        + "run: xdevfs umount " + mnt);
            }
            throw new UsageException("mountpoint " + mnt + " is already mounted (" + t + "); xdevfs umount it first");
        });
        // after the mount table: a dead mount fails every stat
        if (!Files.exists(mnt)) {
            throw new UsageException("mountpoint " + mnt + " does not exist");
        }
        if (!Files.isDirectory(mnt)) {
            throw new UsageException("mountpoint " + mnt + " is not a directory");
        }
    }

    /** A FUSE mount whose daemon died answers every call with ENOTCONN ("Transport endpoint ..."). */
    private static boolean isDead(Path mnt) {
        try {
            Files.readAttributes(mnt, java.nio.file.attribute.BasicFileAttributes.class);
            return false;
        } catch (java.io.IOException e) {
            return String.valueOf(e.getMessage()).contains("not connected");
        }
    }

    public static void fuseAvailable() throws UsageException {
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            throw new UsageException("/dev/fuse does not exist: load the fuse module (modprobe fuse) or run where FUSE is available");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new UsageException("/dev/fuse is not readable and writable by this user");
        }
        if (LIB_DIRS.stream().noneMatch(d -> Files.exists(Path.of(d, "libfuse.so.2")))) {
            throw new UsageException("libfuse.so.2 not found: install libfuse2 (Debian 13: libfuse2t64), "
                    + "e.g. apt-get install libfuse2 fuse3");
        }
    }

    /**
     * Why FUSE passthrough cannot work for this process, or null where it may (the kernel's INIT offer
     * decides the rest): registering backing files needs CAP_SYS_ADMIN, and the kernel Linux 6.9.
     */
    public static String passthroughUnavailable(boolean root) {
        if (!root) {
            return "FUSE passthrough needs root (the kernel registers backing files for CAP_SYS_ADMIN only)";
        }
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (java.io.IOException e) {
            return "cannot read the kernel version (/proc/sys/kernel/osrelease): " + e.getMessage();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return "cannot read the kernel version '" + release + "'";
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < 6 || major == 6 && minor < 9) {
            return "FUSE passthrough needs Linux 6.9 or later (this is " + release + ")";
        }
        return null;
    }

    private Preflight() {
    }
}
