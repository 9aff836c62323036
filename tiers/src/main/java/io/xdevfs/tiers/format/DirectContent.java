package io.xdevfs.tiers.format;

import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * {@code storage_type = direct}: the backing file is open with O_DIRECT, so bytes bypass the page
 * cache. Every transfer goes through a block-aligned buffer at block-aligned offsets; a write that
 * starts or ends inside a block reads that block, changes the caller's bytes and writes it back.
 *
 * <p>Such a read-modify-write must not lose a concurrent write to the other bytes of the block, and a
 * block padded past the end of the file must not be seen before the file is cut back to its size: so
 * unaligned writes, appends and truncates hold the file's lock alone, while aligned writes and all
 * reads share it (the lock is per inode, across handles and hard links). sync still syncs the backing
 * file: O_DIRECT bypasses the page cache, not the device's write cache.
 */
final class DirectContent extends BackedContent {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16);

    private final AlignedBuffers buffers;
    private final int align;
    private final ReadWriteLock lock;
    private final boolean append;

    DirectContent(BackingFile backing, AlignedBuffers buffers, ReadWriteLock lock, boolean append) {
        super(backing);
        this.buffers = buffers;
        this.align = buffers.alignment();
        this.lock = lock;
        this.append = append;
    }

    private long floor(long offset) {
        return offset & -align;
    }

    private long ceil(long offset) {
        return (offset + align - 1) & -align;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            int total = 0;
            while (dst.hasRemaining()) {
                long start = floor(offset);
                int skip = (int) (offset - start);
                int want = (int) Math.min(ceil(skip + (long) dst.remaining()), buffers.capacity());
                ByteBuffer buf = buffers.get().limit(want);
                int n = backing.readOnce(buf, start);
                if (n <= skip) {
                    break;
                }
                int take = Math.min(n - skip, dst.remaining());
                dst.put(buf.limit(skip + take).position(skip));
                total += take;
                offset += take;
                if (n < want) {
                    break; // end of file
                }
            }
            return total;
        } finally {
            shared.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        int length = src.remaining();
        boolean aligned = !append && (offset & (align - 1)) == 0 && (length & (align - 1)) == 0;
        Lock held = aligned ? lock.readLock() : lock.writeLock();
        held.lock();
        try {
            long size = aligned ? -1 : backing.size();
            long at = append ? size : offset;
            int done = 0;
            while (src.hasRemaining()) {
                long pieceEnd = Math.min(at + src.remaining(), floor(at) + buffers.capacity());
                int stored;
                try {
                    stored = writePiece(src, at, pieceEnd, size);
                } catch (PosixException e) {
                    if (done == 0) {
                        throw e;
                    }
                    return done; // the backing filesystem filled up: a short write of what the pieces before stored
                }
                done += stored;
                if (size >= 0) {
                    size = Math.max(size, at + stored);
                }
                if (at + stored < pieceEnd) {
                    return done; // filled up partway through this piece
                }
                at = pieceEnd;
            }
            return length;
        } finally {
            held.unlock();
        }
    }

    /**
     * Writes {@code [at, end)} of the file from {@code src} through one aligned transfer; the cover's
     * edge blocks are read first where they hold file bytes. Returns how many of the caller's bytes
     * the file took ({@code end - at} unless the backing filesystem filled up partway), and consumes
     * them from {@code src}.
     */
    private int writePiece(ByteBuffer src, long at, long end, long size) throws IOException {
        long start = floor(at);
        long stop = ceil(end);
        ByteBuffer buf = buffers.get().limit((int) (stop - start));
        int head = (int) (at - start);
        int tail = (int) (stop - end);
        if (head > 0) {
            fillEdge(buf, 0, start, size);
        }
        if (tail > 0 && (head == 0 || stop - start > align)) {
            fillEdge(buf, (int) (stop - start) - align, stop - align, size);
        }
        int length = (int) (end - at);
        buf.put(head, src, src.position(), length);
        buf.clear().limit((int) (stop - start));
        int stored;
        do { // a transfer that stored only the head's old bytes goes on from there: for more, or for the error
            backing.write(buf, start + buf.position());
            stored = Math.max(0, Math.min(buf.position() - head, length));
        } while (stored == 0 && buf.hasRemaining());
        src.position(src.position() + stored);
        if (tail > 0 && stop > size && stored == length) {
            backing.truncate(Math.max(size, end)); // the padding past the end of the file was never the caller's
        }
        return stored;
    }

    /** Puts the block at {@code fileOffset} into {@code buf} at {@code at}: its bytes below {@code size}, zeros after. */
    private void fillEdge(ByteBuffer buf, int at, long fileOffset, long size) throws IOException {
        int n = 0;
        if (fileOffset < size) {
            n = backing.readOnce(buf.limit(at + align).position(at), fileOffset);
        }
        buf.put(at + n, ZEROS, 0, align - n);
        buf.clear();
    }

    @Override
    public void truncate(long size) throws IOException {
        Lock alone = lock.writeLock();
        alone.lock();
        try {
            backing.truncate(size);
        } finally {
            alone.unlock();
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        Lock alone = lock.writeLock(); // mode 0 may change the size an unaligned write is working with
        alone.lock();
        try {
            backing.allocate(mode, offset, length);
        } finally {
            alone.unlock();
        }
    }

}
