package io.xdevfs.tiers.compressed;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One handle of a compressed file: its own backing file, the file's shared {@link ChunkedFile}.
 *
 * <p>fallocate: PUNCH_HOLE (with KEEP_SIZE) and ZERO_RANGE make the range read as zeros by writing
 * zeros, which compress to a few bytes per chunk; ZERO_RANGE without KEEP_SIZE extends the size.
 * Mode 0 and KEEP_SIZE are EOPNOTSUPP: space for compressed data cannot be promised ahead, and saying
 * so is honest where a no-op would not be (glibc's posix_fallocate then writes zeros itself).
 */
final class CompressedContent implements Content {
    private final BackingFile backing;
    private final ChunkedFile file;
    private final ChunkedFiles files;
    private final OpenFiles.Entry open;
    private final boolean writable;
    private final boolean append;
    private final AtomicBoolean closed = new AtomicBoolean();

    CompressedContent(BackingFile backing, ChunkedFile file, ChunkedFiles files, OpenFiles.Entry open, boolean writable,
                      boolean append) {
        this.backing = backing;
        this.file = file;
        this.files = files;
        this.open = open;
        this.writable = writable;
        this.append = append;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return file.read(backing, dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        if (!writable) {
            throw new PosixException(Errno.EBADF, "write on a read-only handle", null);
        }
        return file.write(backing, src, offset, append);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        file.sync(backing, dataOnly, writable);
    }

    /** The log's new records: they went to the backing file when written (nothing waits in the daemon). */
    @Override
    public void startWriteback() throws IOException {
        backing.startWriteback();
    }

    @Override
    public void truncate(long size) throws IOException {
        if (!writable) {
            throw new PosixException(Errno.EBADF, "ftruncate on a read-only handle", null);
        }
        file.truncate(backing, size);
    }

    @Override
    public Stat attributes() throws IOException {
        return file.attributes(backing); // under the lock: never between housekeeping's rewrite and restore
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        if (change instanceof MetadataChange.Times) {
            file.changeTimes(() -> backing.changeMetadata(change)); // never inside housekeeping's keeping of them
        } else {
            backing.changeMetadata(change);
        }
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return backing.getxattr(name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return backing.listxattr(names);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        boolean keepSize = (mode & Flags.FALLOC_FL_KEEP_SIZE) != 0;
        int kind = mode & ~Flags.FALLOC_FL_KEEP_SIZE;
        if (kind != Flags.FALLOC_FL_ZERO_RANGE && !(kind == Flags.FALLOC_FL_PUNCH_HOLE && keepSize)) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode + " on storage_type = compressed", null);
        }
        if (!writable) {
            throw new PosixException(Errno.EBADF, "fallocate on a read-only handle", null);
        }
        if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
            throw new PosixException(Errno.EINVAL, "fallocate range", null);
        }
        long end = keepSize ? Math.min(offset + length, file.size()) : offset + length;
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_PIECE, Math.max(0, end - offset)));
        for (long at = offset; at < end; at += zeros.capacity()) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
            while (zeros.hasRemaining()) { // after a short write the rest fails with the log's error, never skipped
                file.write(backing, zeros, at + zeros.position(), false);
            }
        }
    }

    /** Zeros are written in pieces of this size, so a large range never needs a large buffer. */
    private static final int ZERO_PIECE = 1 << 20;

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            files.release(open, backing, writable);
        } finally {
            backing.close();
        }
    }
}
