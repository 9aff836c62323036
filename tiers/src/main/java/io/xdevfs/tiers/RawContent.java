package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The raw content format: the file's bytes are the backing file's bytes, through one descriptor.
 * Thread-safe: pread/pwrite on a shared descriptor need no lock.
 */
final class RawContent implements Content {
    private final Posix posix;
    private final int fd;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    RawContent(Posix posix, int fd, Runnable onClose) {
        this.posix = posix;
        this.fd = fd;
        this.onClose = onClose;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return posix.pread(fd, dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        return posix.pwrite(fd, src, offset);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        posix.fsync(fd, dataOnly);
    }

    @Override
    public void truncate(long size) throws IOException {
        posix.ftruncate(fd, size);
    }

    @Override
    public Stat attributes() throws IOException {
        return posix.fstat(fd);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        if ((mode & ~Flags.FALLOC_FL_KEEP_SIZE) != 0) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode, null);
        }
        posix.fallocate(fd, mode, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                posix.close(fd);
            } finally {
                onClose.run();
            }
        }
    }
}
