package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;

/**
 * The fallocate(2) modes a format whose bytes are the backing file's passes through unchanged: the
 * backing filesystem then answers each exactly as it would without xdevfs (EOPNOTSUPP where it lacks
 * one, EINVAL for a misaligned collapse). Linux's FUSE module forwards only KEEP_SIZE, PUNCH_HOLE and
 * ZERO_RANGE; it refuses COLLAPSE_RANGE and INSERT_RANGE itself, so those arrive only from engine users.
 */
public final class FallocateModes {
    public static final int PASS_THROUGH = Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE
            | Flags.FALLOC_FL_ZERO_RANGE | Flags.FALLOC_FL_COLLAPSE_RANGE | Flags.FALLOC_FL_INSERT_RANGE;

    /** Throws EOPNOTSUPP for a mode outside {@code allowed}. */
    public static void require(int mode, int allowed) throws PosixException {
        if ((mode & ~allowed) != 0) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode, null);
        }
    }

    /** Modes that may move or drop allocated blocks (anything but 0 and KEEP_SIZE). */
    public static boolean changesBlocks(int mode) {
        return (mode & ~Flags.FALLOC_FL_KEEP_SIZE) != 0;
    }

    private FallocateModes() {
    }
}
