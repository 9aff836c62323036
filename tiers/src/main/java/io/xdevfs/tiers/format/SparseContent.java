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

    /**
     * Caller holds this file's size lock. The range is stored in order, data pieces written and zero
     * blocks punched, so when the backing filesystem fills up partway the bytes before the failed piece
     * are stored and the answer is their count (a short write, {@link #shortWrite}).
     */
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
        long storedTo = offset; // the bytes of [offset, storedTo) are in the file
        try {
            while (pos < lastBlock) {
                long zeroEnd = pos;
                while (zeroEnd < lastBlock && isZero(src, start + (int) (zeroEnd - offset))) {
                    zeroEnd += block;
                }
                if (zeroEnd > pos) {
                    storedTo = writeRange(src, start, offset, dataFrom, pos);
                    if (storedTo < pos) {
                        return shortWrite(src, start, offset, storedTo);
                    }
                    dataEnd = Math.max(dataEnd, pos);
                    if (pos < size) { // past the end of the file it is a hole already
                        punchIfData(pos, Math.min(zeroEnd, size));
                    }
                    storedTo = zeroEnd;
                    dataFrom = zeroEnd;
                    endsInHole = zeroEnd == end;
                    pos = zeroEnd;
                } else {
                    pos += block;
                }
            }
            storedTo = writeRange(src, start, offset, dataFrom, end);
            if (storedTo < end) {
                return shortWrite(src, start, offset, storedTo);
            }
        } catch (PosixException e) {
            if (storedTo == offset) {
                throw e; // nothing stored
            }
            return shortWrite(src, start, offset, storedTo);
        }
        if (endsInHole && end > dataEnd) {
            // Safe only because every write and truncate of this file holds its size lock.
            backing.truncate(end);
        }
        src.position(start + length);
        return length;
    }

    /**
     * The backing filesystem filled up partway: the bytes of [offset, to) are stored, and the answer
     * is their count. Zero blocks stored as a hole past the end of the file count only once the size
     * reaches them. Caller holds the size lock.
     */
    private int shortWrite(ByteBuffer src, int start, long offset, long to) throws IOException {
        long size = backing.size();
        if (size < to) {
            try {
                backing.truncate(to); // a hole: no space needed
            } catch (PosixException e) {
                to = Math.max(offset, size);
                if (to == offset) {
                    throw e;
                }
            }
        }
        src.position(start + (int) (to - offset));
        return (int) (to - offset);
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

    /**
     * Writes the bytes of the file range [from, to) that {@code src} holds; returns where the stored
     * bytes end: {@code to}, or less when the backing filesystem filled up (and it stored some).
     */
    private long writeRange(ByteBuffer src, int start, long fileOffset, long from, long to) throws IOException {
        if (to <= from) {
            return to;
        }
        return from + backing.write(src.slice(start + (int) (from - fileOffset), (int) (to - from)), from);
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
