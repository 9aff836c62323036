package io.xdevfs.tiers.format;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The sparse content format ({@code storage_type = sparse}): the backing format, except that every
 * aligned block of the hole size that a write fills with zeros becomes a hole (fallocate
 * PUNCH_HOLE | KEEP_SIZE where there was data; left alone where there was none, which keeps space
 * a program reserved) instead of written zeros, and fallocate's PUNCH_HOLE and ZERO_RANGE work.
 * Only blocks that are exactly zero become holes, so what is read back is always what was written.
 *
 * <p>Thread-safe. Writes and truncates of one file, through any handle, hold that file's size lock
 * (the file's lock in {@link OpenFiles}, taken alone): a write that ends in zeros past the end of the file extends it with one
 * ftruncate and no data, which is only safe when no other write can extend the file meanwhile.
 * Writes to one sparse file are therefore serialised; different files proceed in parallel.
 */
final class SparseContent extends BackedContent {
    private static final int ALLOWED_MODES = StorageType.SPARSE.fallocateModes();

    private final int block;
    private final ByteBuffer zeros;
    /** The file's lock ({@link OpenFiles.Entry#lock}): its write side is the size lock. */
    private final ReadWriteLock sizeLock;

    SparseContent(BackingFile backing, int block, ReadWriteLock sizeLock) {
        super(backing);
        this.block = block;
        this.zeros = ByteBuffer.allocateDirect(block).asReadOnlyBuffer();
        this.sizeLock = sizeLock;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return backing.read(dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        Lock alone = sizeLock.writeLock();
        alone.lock();
        try {
            return writeHoldingSizeLock(src, offset);
        } finally {
            alone.unlock();
        }
    }

    /** Caller holds this file's size lock. */
    private int writeHoldingSizeLock(ByteBuffer src, long offset) throws IOException {
        int length = src.remaining();
        int start = src.position();
        long end = offset + length;
        long firstBlock = HoleMath.roundUp(offset, block);
        long lastBlock = HoleMath.roundDown(end, block);
        if (firstBlock >= lastBlock || !containsZeroBlock(src, start, offset, firstBlock, lastBlock)) {
            return backing.write(src, offset);
        }
        long size = backing.size();
        // [offset, firstBlock) and [lastBlock, end) are partial blocks: written as they are.
        long dataFrom = offset;
        long dataEnd = size; // the file's end after the data parts written so far
        long pos = firstBlock;
        boolean endsInHole = false;
        while (pos < lastBlock) {
            long zeroEnd = pos;
            while (zeroEnd < lastBlock && isZero(src, start + (int) (zeroEnd - offset))) {
                zeroEnd += block;
            }
            if (zeroEnd > pos) {
                if (writeRange(src, start, offset, dataFrom, pos)) {
                    dataEnd = Math.max(dataEnd, pos);
                }
                if (pos < size) { // past the end of the file it is a hole already
                    punchIfData(pos, Math.min(zeroEnd, size));
                }
                dataFrom = zeroEnd;
                endsInHole = zeroEnd == end;
                pos = zeroEnd;
            } else {
                pos += block;
            }
        }
        writeRange(src, start, offset, dataFrom, end);
        if (endsInHole && end > dataEnd) {
            // Safe only because every write and truncate of this file holds its size lock.
            backing.truncate(end);
        }
        src.position(start + length);
        return length;
    }

    /**
     * Punches [from, to) unless it already reads as zeros without data behind it: a hole, or space
     * reserved by fallocate and never written (SEEK_DATA skips both). Leaving such a range alone
     * keeps the reservation a program asked for (fio, for one, preallocates before it writes), and
     * spares a punch that costs the backing filesystem a journal transaction per request. Caller
     * holds the size lock.
     */
    private void punchIfData(long from, long to) throws IOException {
        long data = backing.seekData(from);
        if (data >= 0 && data < to) {
            backing.allocate(Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, from, to - from);
        }
    }

    private boolean containsZeroBlock(ByteBuffer src, int start, long offset, long firstBlock, long lastBlock) {
        for (long pos = firstBlock; pos < lastBlock; pos += block) {
            if (isZero(src, start + (int) (pos - offset))) {
                return true;
            }
        }
        return false;
    }

    private boolean isZero(ByteBuffer src, int at) {
        return src.slice(at, block).mismatch(zeros.duplicate()) == -1;
    }

    /** Writes the bytes of the file range [from, to) that {@code src} holds; false when it is empty. */
    private boolean writeRange(ByteBuffer src, int start, long fileOffset, long from, long to) throws IOException {
        if (to <= from) {
            return false;
        }
        backing.write(src.slice(start + (int) (from - fileOffset), (int) (to - from)), from);
        return true;
    }

    @Override
    public void truncate(long size) throws IOException {
        Lock alone = sizeLock.writeLock();
        alone.lock();
        try {
            backing.truncate(size);
        } finally {
            alone.unlock();
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        if ((mode & ~ALLOWED_MODES) != 0
                || ((mode & Flags.FALLOC_FL_PUNCH_HOLE) != 0 && (mode & Flags.FALLOC_FL_KEEP_SIZE) == 0)) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode, null);
        }
        backing.allocate(mode, offset, length);
    }

}
