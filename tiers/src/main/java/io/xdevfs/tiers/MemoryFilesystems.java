package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Filesystems that keep their files in memory (tmpfs, ramfs: /dev/shm, and /tmp on many systems):
 * nothing there outlives a reboot. The mount and {@code xdevfs config check} ask the same question
 * here, so they give the same answer.
 */
public final class MemoryFilesystems {
    /** Whether a statfs(2) f_type is a filesystem in memory. */
    public static boolean isMemory(long statfsType) {
        return statfsType == Posix.TMPFS_MAGIC || statfsType == Posix.RAMFS_MAGIC;
    }

    /**
     * "tmpfs at /dev/shm" when {@code dir}, or before it exists the nearest directory it would be made
     * in, is on a filesystem in memory; empty when it is not.
     */
    public static Optional<String> holding(Posix posix, Path dir) throws PosixException {
        Path existing = dir.toAbsolutePath().normalize();
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        int fd = posix.openat(Flags.AT_FDCWD, Names.of(existing), Flags.O_PATH | Flags.O_DIRECTORY, 0);
        try {
            long type = posix.filesystemType(fd);
            return isMemory(type) ? Optional.of((type == Posix.TMPFS_MAGIC ? "tmpfs" : "ramfs") + " at " + existing)
                    : Optional.empty();
        } finally {
            posix.close(fd);
        }
    }

    private MemoryFilesystems() {
    }
}
