package io.xdevfs.posix;

import java.io.IOException;

/** A system call failed; {@link #errno()} is what it set, ready to hand back to a FUSE caller. */
public final class PosixException extends IOException {
    private final int errno;

    public PosixException(int errno, String operation, String path) {
        super(operation + (path == null ? "" : " " + path) + ": errno " + errno);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
