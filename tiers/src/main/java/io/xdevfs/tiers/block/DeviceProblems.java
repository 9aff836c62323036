package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;

/** What an error opening a device means to the person who named it. */
final class DeviceProblems {
    static String describe(int errno) {
        return switch (errno) {
            case Errno.ENOTBLK -> "not a block device (ENOTBLK)";
            case Errno.EBUSY -> "in use (EBUSY): mounted, or held by another program (a filesystem, device mapper, md, "
                    + "another xdevfs)";
            case Errno.ENOENT -> "no such device (ENOENT)";
            case Errno.EACCES, Errno.EPERM -> "permission denied (xdevfs needs read-write access to the device)";
            case Errno.EROFS -> "the device is read-only (EROFS)";
            default -> "cannot open it (errno " + errno + ")";
        };
    }

    private DeviceProblems() {
    }
}
