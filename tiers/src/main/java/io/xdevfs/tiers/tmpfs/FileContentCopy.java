package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Posix;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one file copied for a {@link TreeCopy}: whole, holes kept, or as a patch of the copy
 * before. One per copy, used from one thread (its buffer is not one per file).
 */
final class FileContentCopy {
    private static final int COPY_PIECE = 1 << 20;

    private final Posix posix;
    private ByteBuffer buffer;

    FileContentCopy(Posix posix) {
        this.posix = posix;
    }

    /**
     * A regular file's data ranges (SEEK_DATA/SEEK_HOLE), then its size: holes stay holes. A plain copy
     * reads a hole as zeros and writes them, so one sparse file of a few KB and a size of 100 GB (a
     * preallocated file, a program's sparse map) filled the backup disk and failed every copy. Returns
     * the size copied.
     */
    long copyKeepingHoles(int in, int out) throws IOException {
        long size = posix.fstat(in).size;
        for (long at = posix.seekData(in, 0); at >= 0 && at < size; ) {
            long end = Math.min(size, posix.seekDataOrHole(in, at, false));
            copyRange(in, out, at, end);
            at = end < size ? posix.seekData(in, end) : size;
        }
        posix.ftruncate(out, size);
        return size;
    }

    /**
     * Copies [start, end); returns the bytes copied, fewer when the file shrank meanwhile (its size at
     * the copy's end is what counts). Written back at the copy's fsync: starting each 64 KiB piece's
     * write-back as it went (as the hybrid's moves do) did not shorten an intent log's forces during
     * checkpoints (docs/benchmarks.md, "Checkpoints that let bytes change").
     */
    private long copyRange(int in, int out, long start, long end) throws IOException {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(COPY_PIECE);
        }
        long at = start;
        while (at < end) {
            int n = posix.pread(in, buffer.clear().limit((int) Math.min(COPY_PIECE, end - at)), at);
            if (n <= 0) {
                break;
            }
            posix.pwrite(out, buffer.position(0).limit(n), at);
            at += n;
        }
        return at - start;
    }

    /**
     * Brings {@code out} (the previous copy of {@code in}) up to date: cut to the lowest size a truncation
     * left, the changed ranges copied, the size set. Returns the bytes copied.
     */
    long patch(int in, int out, CutChanges.OfFile changed) throws IOException {
        long size = posix.fstat(in).size;
        long copied = 0;
        if (changed != null) {
            if (changed.lowestSize() < posix.fstat(out).size) {
                posix.ftruncate(out, changed.lowestSize());
            }
            for (long[] range : changed.ranges.list(size)) { // kept: a copy that fails hands them back
                copied += copyRange(in, out, range[0], range[1]);
            }
        }
        posix.ftruncate(out, size);
        return copied;
    }
}
