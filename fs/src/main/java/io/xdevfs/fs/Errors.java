package io.xdevfs.fs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one error ladder of the FUSE frontend: what a failed operation returns to the kernel. A
 * {@link PosixException} carries its own errno; known Java exceptions map to theirs; anything else
 * is logged once with its stack and becomes EIO, so no failure can ever read as success.
 */
final class Errors {
    /** Returns the negative errno for the kernel. */
    static int toErrno(String op, String path, Throwable t) {
        if (t instanceof PosixException p) {
            if (p.errno() == Errno.EIO) {
                Log.warn(op + " " + path + ": " + p.getMessage());
            }
            return -p.errno();
        }
        int errno = classify(t);
        if (errno == Errno.EIO || errno == Errno.ENOMEM) {
            Log.error(op + " " + path + " failed; answering errno " + errno, t);
        }
        return -errno;
    }

    static int classify(Throwable t) {
        if (t instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (t instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (t instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (t instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (t instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (t instanceof ClosedChannelException) {
            return Errno.EBADF;
        }
        if (t instanceof OutOfMemoryError) {
            return Errno.ENOMEM;
        }
        return Errno.EIO; // any other IOException, RuntimeException or Error
    }

    private Errors() {
    }
}
