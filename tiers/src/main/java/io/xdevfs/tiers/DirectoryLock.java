package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes one daemon the owner of a base directory. Two daemons on one directory would each cache what
 * the other changes (page cache, compressed files' state) and serve stale bytes, so the second is
 * refused, with the pid and mount point of the first. A memory tier's backup_directory and
 * intent_log_directory are owned the same way: two mounts sharing one would replace each other's
 * copies and interleave their logs, and a reboot would restore one mount's files into the other.
 *
 * <p>The lock is flock(2) on the directory itself: nothing is added to the tree the mount shows,
 * and the kernel drops it when the holder dies, so a daemon killed with -9 never blocks the next mount.
 * It is taken on the directory the volume serves (for storage_type = tmpfs: the tmpfs root).
 */
public final class DirectoryLock implements AutoCloseable {
    private final Posix posix;
    private final int fd;
    /** The descriptor is closed once: a second close could hit a number reused by another file. */
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    private DirectoryLock(Posix posix, int fd) {
        this.posix = posix;
        this.fd = fd;
    }

    public static DirectoryLock acquire(Posix posix, Path dir) throws VolumeException {
        return acquire(posix, dir, "base_directory");
    }

    /** The directory of configuration key {@code key}, which must exist, for this daemon alone. */
    public static DirectoryLock acquire(Posix posix, Path dir, String key) throws VolumeException {
        int fd;
        try {
            fd = posix.openat(Flags.AT_FDCWD, Names.of(dir), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        } catch (PosixException e) {
            throw new VolumeException("cannot open " + key + " " + dir + ": " + e.getMessage());
        }
        try {
            if (posix.tryLockExclusive(fd)) {
                return new DirectoryLock(posix, fd);
            }
            String holder = holder(posix.fstat(fd));
            posix.close(fd);
            throw new VolumeException(key + " " + dir + " is in use by " + holder
                    + "; one daemon owns a " + key + " at a time (unmount that one, or give this mount "
                    + "another " + key + ")");
        } catch (PosixException e) {
            closeQuietly(posix, fd);
            throw new VolumeException("cannot lock " + key + " " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Who owns {@code dir} now ("the xdevfs daemon (pid N) serving /mnt/x"), or empty when no daemon does
     * or it cannot be opened: the lock is taken and let go of at once. For {@code xdevfs config check}.
     */
    public static java.util.Optional<String> ownerNow(Posix posix, Path dir) {
        int fd;
        try {
            fd = posix.openat(Flags.AT_FDCWD, Names.of(dir), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        } catch (PosixException e) {
            return java.util.Optional.empty();
        }
        try {
            return posix.tryLockExclusive(fd) ? java.util.Optional.empty()
                    : java.util.Optional.of(holder(posix.fstat(fd)));
        } catch (PosixException e) {
            return java.util.Optional.empty();
        } finally {
            closeQuietly(posix, fd);
        }
    }

    /** "the xdevfs daemon (pid N) serving /mnt/x", found through /proc/locks, or as much of it as is known. */
    static String holder(Stat dir) {
        String id = String.format("%02x:%02x:%d", major(dir.dev), minor(dir.dev), dir.ino);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                // "1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234 0 EOF"
                if (f.length >= 6 && f[1].equals("FLOCK") && f[5].equals(id)) {
                    return describe(Long.parseLong(f[4]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: the lock is held, whoever it is
        }
        return "another xdevfs daemon";
    }

    private static String describe(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            return "the xdevfs daemon (pid " + pid + ") serving " + args.get(args.size() - 1);
        } catch (IOException | RuntimeException e) {
            return "process " + pid;
        }
    }

    /** glibc's dev_t encoding. */
    private static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    private static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }

    private static void closeQuietly(Posix posix, int fd) {
        try {
            posix.close(fd);
        } catch (PosixException ignored) {
            // already failing
        }
    }

    @Override
    public void close() throws PosixException {
        if (released.compareAndSet(false, true)) {
            posix.close(fd);
        }
    }

    public void closeQuietly() {
        if (released.compareAndSet(false, true)) {
            closeQuietly(posix, fd);
        }
    }
}
