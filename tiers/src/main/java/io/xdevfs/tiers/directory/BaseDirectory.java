package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

/**
 * Turns a volume path into (directory descriptor, final name) below the base directory.
 *
 * <p>Why: the kernel resolves symlinks on the mount before it asks us, but the backing tree can still
 * change between its lookup and our call (another user renames a directory and leaves a symlink to
 * /etc in its place). So the parent is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 * and every operation then works on the final name relative to that descriptor with *at() calls
 * that do not follow a final symlink. Paths directly below the root need no extra open, and parents
 * opened recently are kept open for a moment ({@link ParentDirectories}).
 */
final class BaseDirectory implements AutoCloseable {
    private final Posix posix;
    private final int fd;
    private final ParentDirectories parents;

    BaseDirectory(Posix posix, int fd) {
        this.posix = posix;
        this.fd = fd;
        this.parents = new ParentDirectories(posix, fd, System::nanoTime);
    }

    int fd() {
        return fd;
    }

    /** A resolved name; close it when done (it may own a descriptor of the parent directory). */
    final class Located implements AutoCloseable {
        final int dir;
        final String name;
        /** Null for a name directly below the base directory. */
        private final ParentDirectories.Entry parent;

        private Located(int dir, String name, ParentDirectories.Entry parent) {
            this.dir = dir;
            this.name = name;
            this.parent = parent;
        }

        /** A path naming the file for calls that only take paths (xattrs), without following symlinks. */
        String procPath() {
            return "/proc/self/fd/" + dir + "/" + name;
        }

        @Override
        public void close() throws PosixException {
            if (parent != null) {
                parents.release(parent);
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
            return new Located(fd, ".", null);
        }
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        if (slash == 0) {
            return new Located(fd, name, null);
        }
        ParentDirectories.Entry parent = parents.acquire(path.substring(1, slash));
        return new Located(parent.fd, name, parent);
    }

    /** Before a rename or rmdir of {@code path} returns: its name, and those below, mean something else now. */
    void renamedOrRemoved(String path) throws PosixException {
        parents.forget(path);
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
        parents.close();
        posix.close(fd);
    }
}
