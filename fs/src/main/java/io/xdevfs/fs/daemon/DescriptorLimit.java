package io.xdevfs.fs.daemon;

import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.LocalConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's RLIMIT_NOFILE, raised to what {@code max_open_files} needs. Each directory volume keeps
 * up to max_open_files backing descriptors and parks the least recently used beyond that (files that
 * lost their names cannot be parked: past the bound they are ENFILE). Under a smaller limit an open
 * fails with EMFILE long before the bound is reached: a hybrid on a machine whose limit was 20,000
 * failed programs' opens past 9,989 files.
 */
record DescriptorLimit(LocalConfig config, String note) {
    /** The JVM's own descriptors, sockets, logs, the parent-directory cache. */
    static final long HEADROOM = 4096;

    /** The smallest bound {@link #fit} sets. */
    static final int MIN_BOUND = 64;

    /**
     * The configuration the daemon runs with, and what to say about the limit once mounted (null: nothing).
     * The limit is raised first; where it cannot be raised enough (no CAP_SYS_RESOURCE, a container's
     * hard limit), max_open_files is lowered to what it holds, so that the descriptor caches park idle
     * files instead of opens failing with EMFILE.
     */
    static DescriptorLimit fit(Posix posix, LocalConfig local) {
        long needed = needed(local);
        long[] before;
        long limit;
        try {
            before = posix.openFileLimit();
            limit = raise(posix, before, needed);
        } catch (PosixException e) {
            return new DescriptorLimit(local, "the open-file limit could not be read or raised: " + e.getMessage());
        }
        String raised = limit != before[0] ? "open-file limit raised from " + before[0] + " to " + limit : null;
        int perFile = perBoundFile(local);
        if (limit >= needed || perFile == 0) {
            return new DescriptorLimit(local, raised);
        }
        int fits = (int) Math.max(MIN_BOUND, (limit - Math.min(HEADROOM, limit / 4)) / perFile);
        if (fits >= local.maxOpenFiles()) {
            return new DescriptorLimit(local, raised);
        }
        return new DescriptorLimit(local.withMaxOpenFiles(fits), "max_open_files is " + fits + " on this mount, not "
                + local.maxOpenFiles() + ": the daemon may hold " + limit + " descriptors (RLIMIT_NOFILE), and "
                + needed + " could not be had; files open past it are parked and reopened by handle (raise the "
                + "limit, e.g. systemd's LimitNOFILE=, to keep more descriptors open)");
    }

    /** Descriptors the daemon may hold at once with this configuration. */
    static long needed(LocalConfig local) {
        return (long) perBoundFile(local) * local.maxOpenFiles() + HEADROOM;
    }

    /**
     * Descriptors per file of the bound, over every volume: a volume keeps up to max_open_files, a
     * compressed or mmap file one more outside it; a hybrid's namespace, hot and cold tier are three
     * volumes; a block volume's files live on its one device descriptor.
     */
    private static int perBoundFile(LocalConfig local) {
        return switch (local.storageType()) {
            case HYBRID -> 1 + perBoundFile(local.hybrid().hot()) + perBoundFile(local.hybrid().cold());
            case BLOCK -> 0;
            case COMPRESSED, MMAP -> 2;
            default -> 1;
        };
    }

    /**
     * Raises the soft limit from {@code before} to {@code needed}, and the hard limit with it where the
     * process may (root), never past the kernel's {@code nr_open}. Returns the soft limit from then on.
     */
    private static long raise(Posix posix, long[] before, long needed) throws PosixException {
        long want = Math.min(needed, nrOpen());
        if (before[0] < want) {
            try {
                posix.setOpenFileLimit(want, Math.max(before[1], want));
            } catch (PosixException e) { // no CAP_SYS_RESOURCE: as far as the hard limit goes
                posix.setOpenFileLimit(Math.min(want, before[1]), before[1]);
            }
        }
        return posix.openFileLimit()[0];
    }

    /**
     * /proc/sys/fs/nr_open: the most any process's limit may be. Read by lines: Files.readString read
     * "1" of "1048576" there (JDK 17, kernel 6.18).
     */
    static long nrOpen() {
        try {
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/nr_open")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return 1L << 20; // the kernel's default
        }
    }
}
