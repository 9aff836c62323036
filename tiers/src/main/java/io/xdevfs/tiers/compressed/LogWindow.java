package io.xdevfs.tiers.compressed;

import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sequential reads of a compressed file's log for the recovery scan: one large pread serves many
 * records, and holes (punched garbage) are jumped with SEEK_DATA instead of read.
 */
final class LogWindow {
    private final BackingFile log;
    private final long end;
    private final ByteBuffer buffer;
    private long start = -1;

    LogWindow(BackingFile log, long end, int capacity) {
        this.log = log;
        this.end = end;
        this.buffer = ByteBuffer.allocateDirect(capacity);
    }

    /**
     * Makes [pos, pos + need) (or up to the end of the log) available; returns the buffer, whose
     * byte at index {@code pos - base()} is the byte at {@code pos}.
     */
    ByteBuffer at(long pos, int need) throws IOException {
        long want = Math.min(end, pos + need);
        if (start < 0 || pos < start || want > start + buffer.limit()) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - pos));
            log.read(buffer, pos);
            buffer.flip();
            start = pos;
        }
        return buffer;
    }

    long base() {
        return start;
    }

    /** The first non-zero byte at or after {@code pos}, or -1 when there is none before the end. */
    long nextNonZero(long pos) throws IOException {
        while (pos < end) {
            long data = log.seekData(pos);
            if (data < 0) {
                return -1;
            }
            pos = Math.max(pos, data);
            ByteBuffer b = at(pos, 1);
            int from = (int) (pos - start);
            for (int i = from; i < b.limit(); i++) {
                if (b.get(i) != 0) {
                    return start + i;
                }
            }
            pos = start + b.limit();
        }
        return -1;
    }
}
