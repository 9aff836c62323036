package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.ReservedAttributes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The regular files a {@link TreeCopy}'s walk found, to be opened again when the copy reads them, by
 * then perhaps under other names or none. Named by a file handle (name_to_handle_at), which holds
 * nothing open, where the tree's filesystem and the daemon's privileges allow reopening one (a tmpfs
 * and root: open_by_handle_at needs CAP_DAC_READ_SEARCH); otherwise held open, and the walk copies what
 * it holds before it holds too many.
 */
final class FoundFiles implements AutoCloseable {
    /** One file found: {@link #open} once, or {@link #release} when it will not be. */
    interface Found {
        /** Its descriptor for reading, which the caller closes; -1 when the file has no name left. */
        int open() throws PosixException;

        void release();

        /** Whether it holds a descriptor until opened or released. */
        boolean holdsDescriptor();

        /** Its xdevfs id as the walk found it, or 0: what a copy of a file gone since keeps. */
        long id();
    }

    private final Posix posix;
    private final int root;
    /** Null until the first file tells whether handles reopen files here. */
    private Boolean byHandle;

    FoundFiles(Posix posix, String root) throws PosixException {
        this.posix = posix;
        this.root = posix.openat(Flags.AT_FDCWD, root, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
    }

    Found find(String path) throws PosixException {
        byte[] handle = handleIfReopenable(path);
        if (handle != null) {
            return named(handle, idOf(UserAttributes.Source.ofPath(posix, path)));
        }
        return held(posix.openat(Flags.AT_FDCWD, path, Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0));
    }

    private byte[] handleIfReopenable(String path) throws PosixException {
        if (Boolean.FALSE.equals(byHandle)) {
            return null;
        }
        byte[] handle;
        try {
            handle = posix.fileHandleAt(Flags.AT_FDCWD, path);
            if (byHandle == null) {
                posix.close(posix.openByHandle(root, handle, Flags.O_RDONLY));
                byHandle = true;
            }
        } catch (PosixException e) { // EOPNOTSUPP, EPERM: no handles here
            if (Boolean.TRUE.equals(byHandle)) {
                throw e;
            }
            byHandle = false;
            return null;
        }
        return handle;
    }

    /** The file's xdevfs id, or 0 (none); also what {@link TreeCopy} compares with the previous copy's. */
    static long idOf(UserAttributes.Source file) throws PosixException {
        ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return file.get(ReservedAttributes.FILE_ID, value) == 8 ? value.getLong(0) : 0;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.ERANGE || e.errno() == Errno.EOPNOTSUPP) {
                return 0;
            }
            throw e;
        }
    }

    private Found held(int fd) {
        return new Found() {
            private boolean handedOver;

            @Override
            public int open() {
                handedOver = true;
                return fd;
            }

            @Override
            public void release() {
                if (!handedOver) {
                    handedOver = true;
                    try {
                        posix.close(fd);
                    } catch (PosixException ignored) { // a failed copy: its error is the one to report
                    }
                }
            }

            @Override
            public boolean holdsDescriptor() {
                return true;
            }

            @Override
            public long id() {
                return 0;
            }
        };
    }

    private Found named(byte[] handle, long id) {
        return new Found() {
            @Override
            public int open() throws PosixException {
                try {
                    return posix.openByHandle(root, handle, Flags.O_RDONLY);
                } catch (PosixException e) {
                    if (e.errno() == Errno.ESTALE || e.errno() == Errno.ENOENT) {
                        return -1; // every name removed since the walk, and no one holds it open
                    }
                    throw e;
                }
            }

            @Override
            public void release() {
            }

            @Override
            public boolean holdsDescriptor() {
                return false;
            }

            @Override
            public long id() {
                return id;
            }
        };
    }

    @Override
    public void close() throws PosixException {
        posix.close(root);
    }
}
