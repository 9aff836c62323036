package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

/**
 * Turns a volume path into (directory descriptor, final name) below the base directory.
 *
 * <p>Why: the kernel resolves symlinks on the mount before it asks us, but the backing tree can still
 * change between its lookup and our call (another user renames a directory and leaves a symlink to
 * /etc in its place). So the parent is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 * and every operation then works on the final name relative to that descriptor with *at() calls
 * that do not follow a final symlink. Paths directly below the root need no extra open.
 */
final class BaseDirectory implements AutoCloseable {
    private final Posix posix;
    private final int fd;

    BaseDirectory(Posix posix, int fd) {
        this.posix = posix;
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    /** A resolved name; close it when done (it may own a descriptor of the parent directory). */
    final class Located implements AutoCloseable {
        final int dir;
        final String name;
        private final boolean ownsDir;

        private Located(int dir, String name, boolean ownsDir) {
            this.dir = dir;
            this.name = name;
            this.ownsDir = ownsDir;
        }

        /** A path naming the file for calls that only take paths (xattrs), without following symlinks. */
        String procPath() {
            return "/proc/self/fd/" + dir + "/" + name;
        }

        @Override
        public void close() throws PosixException {
            if (ownsDir) {
                posix.close(dir);
            }
        }
    }

    /**
     * The volume header and its temporary copy ({@link VolumeHeader}) at the top of the base directory:
     * no name on the mount reaches them. Looking them up is ENOENT; making a file of that name, EPERM.
     */
    static boolean isReserved(String path) {
        return path.equals("/" + VolumeHeader.NAME) || path.equals("/" + VolumeHeader.NAME + ".tmp");
    }

    /** For calls that make {@code path}: a reserved name is EPERM. */
    static void requireFree(String path) throws PosixException {
        if (isReserved(path)) {
            throw new PosixException(Errno.EPERM, "reserved name", path);
        }
    }

    Located locate(String path) throws PosixException {
        validate(path);
        if (isReserved(path)) {
            throw new PosixException(Errno.ENOENT, "reserved name", path);
        }
        if (path.length() == 1) {
            return new Located(fd, ".", false);
        }
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        if (slash == 0) {
            return new Located(fd, name, false);
        }
        int dir = posix.openBeneath(fd, path.substring(1, slash), Flags.O_PATH | Flags.O_DIRECTORY);
        return new Located(dir, name, true);
    }

    /** Absolute, no empty, "." or ".." component, no NUL: anything else is EINVAL. */
    static void validate(String path) throws PosixException {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.indexOf('\0') >= 0) {
            throw new PosixException(Errno.EINVAL, "resolve", path);
        }
        if (path.length() == 1) {
            return;
        }
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int len = end - start;
            if (len == 0 || (len == 1 && path.charAt(start) == '.')
                    || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                throw new PosixException(Errno.EINVAL, "resolve", path);
            }
            start = end + 1;
        }
    }

    @Override
    public void close() throws PosixException {
        posix.close(fd);
    }
}
