package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;

/**
 * Which set-ID bits a change clears, as the Linux VFS does: set-user-ID always, set-group-ID only where
 * group execute is set (without it the bit marks mandatory locking, not a privilege). Volumes that keep
 * their own metadata apply this; a backing filesystem does it for the others.
 */
public final class SetIdBits {
    private static final int S_ISUID = 04000;
    private static final int S_IXGRP = 00010;

    private SetIdBits() {
    }

    /** The mode after a write, truncate or O_TRUNC open by a caller without CAP_FSETID. */
    public static int afterUnprivilegedWrite(int mode) {
        int bits = S_ISUID | ((mode & S_IXGRP) != 0 ? Flags.S_ISGID : 0);
        return mode & ~bits;
    }

    /** The mode after a chown, by anyone: a directory keeps its bits, a file loses them as after a write. */
    public static int afterChown(int mode) {
        return (mode & Flags.S_IFMT) == Flags.S_IFDIR ? mode : afterUnprivilegedWrite(mode);
    }
}
