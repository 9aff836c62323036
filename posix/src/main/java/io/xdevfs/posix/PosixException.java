package io.xdevfs.posix;

import java.io.IOException;

/**
 * A system call failed; {@link #errno()} is what it set, ready to hand back to a FUSE caller.
 *
 * <p>Carries no stack trace: errno answers are ordinary control flow on hot paths (the kernel asks
 * for the absent security.capability attribute before every write, and ENODATA is the answer), and
 * filling a stack trace would cost more than the system call.
 */
public final class PosixException extends IOException {
    private final int errno;

    public PosixException(int errno, String operation, String path) {
        super(message(errno, operation, path));
        this.errno = errno;
    }

    private static String message(int errno, String operation, String path) {
        String words = Errno.describe(errno);
        return operation + (path == null ? "" : " " + path) + ": errno " + errno + (words == null ? "" : " (" + words + ")");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public int errno() {
        return errno;
    }
}
