package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One handle of a compressed file: its own backing descriptor, the inode's shared {@link ChunkedFile}.
 * fallocate is EOPNOTSUPP: space for compressed data cannot be promised ahead (glibc's
 * posix_fallocate then writes zeros, which compress to almost nothing).
 */
final class CompressedContent implements Content {
    private final RawContent raw;
    private final ChunkedFile file;
    private final ChunkedFiles files;
    private final boolean writable;
    private final boolean append;
    private final AtomicBoolean closed = new AtomicBoolean();

    CompressedContent(RawContent raw, ChunkedFile file, ChunkedFiles files, boolean writable, boolean append) {
        this.raw = raw;
        this.file = file;
        this.files = files;
        this.writable = writable;
        this.append = append;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return file.read(raw.fd(), dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        if (!writable) {
            throw new PosixException(Errno.EBADF, "write on a read-only handle", null);
        }
        return file.write(raw.fd(), src, offset, append);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        file.sync(raw.fd(), dataOnly, writable);
    }

    @Override
    public void truncate(long size) throws IOException {
        if (!writable) {
            throw new PosixException(Errno.EBADF, "ftruncate on a read-only handle", null);
        }
        file.truncate(raw.fd(), size);
    }

    @Override
    public Stat attributes() throws IOException {
        Stat st = raw.attributes();
        st.size = file.size();
        return st;
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        throw new PosixException(Errno.EOPNOTSUPP, "fallocate on storage_type = compressed", null);
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            files.release(file, raw.fd(), writable);
        } finally {
            raw.close();
        }
    }
}
