package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The sparse content format ({@code storage_type = sparse}): the raw format, except that every
 * aligned block of the hole size that a write fills with zeros becomes a hole (fallocate
 * PUNCH_HOLE | KEEP_SIZE) instead of written zeros, and fallocate's PUNCH_HOLE and ZERO_RANGE work.
 * Only blocks that are exactly zero become holes, so what is read back is always what was written.
 *
 * <p>Thread-safe as the raw format is: each write is a sequence of pwrite and fallocate calls on
 * ranges of its own, and a write that ends in a hole past the end of the file extends the size with
 * fallocate (never ftruncate, which could cut a concurrent append short).
 */
final class SparseContent implements Content {
    private static final int ALLOWED_MODES = Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE
            | Flags.FALLOC_FL_ZERO_RANGE;

    private final RawContent raw;
    private final Posix posix;
    private final int block;
    private final ByteBuffer zeros;

    SparseContent(RawContent raw, Posix posix, int block) {
        this.raw = raw;
        this.posix = posix;
        this.block = block;
        this.zeros = ByteBuffer.allocateDirect(block).asReadOnlyBuffer();
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return raw.read(dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        int length = src.remaining();
        int start = src.position();
        long end = offset + length;
        long firstBlock = HoleMath.roundUp(offset, block);
        long lastBlock = HoleMath.roundDown(end, block);
        if (firstBlock >= lastBlock) {
            return raw.write(src, offset);
        }
        // [offset, firstBlock) and [lastBlock, end) are partial blocks: written as they are.
        long dataFrom = offset;
        long pos = firstBlock;
        boolean endsInHole = false;
        while (pos < lastBlock) {
            long zeroEnd = pos;
            while (zeroEnd < lastBlock && isZero(src, start + (int) (zeroEnd - offset))) {
                zeroEnd += block;
            }
            if (zeroEnd > pos) {
                writeRange(src, start, offset, dataFrom, pos);
                posix.fallocate(raw.fd(), Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, pos, zeroEnd - pos);
                dataFrom = zeroEnd;
                endsInHole = zeroEnd == end;
                pos = zeroEnd;
            } else {
                pos += block;
            }
        }
        writeRange(src, start, offset, dataFrom, end);
        if (endsInHole && raw.attributes().size < end) {
            // Extend the size without data: fallocate mode 0 never shrinks (unlike ftruncate, which could
            // cut a concurrent append short), and punching its one block again keeps the tail a hole.
            long lastBlockStart = HoleMath.roundDown(end - 1, block);
            posix.fallocate(raw.fd(), 0, end - 1, 1);
            posix.fallocate(raw.fd(), Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, lastBlockStart,
                    end - lastBlockStart);
        }
        src.position(start + length);
        return length;
    }

    private boolean isZero(ByteBuffer src, int at) {
        return src.slice(at, block).mismatch(zeros.duplicate()) == -1;
    }

    /** Writes the bytes of the file range [from, to) that {@code src} holds (src starts at fileOffset). */
    private void writeRange(ByteBuffer src, int start, long fileOffset, long from, long to) throws IOException {
        if (to > from) {
            posix.pwrite(raw.fd(), src.slice(start + (int) (from - fileOffset), (int) (to - from)), from);
        }
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        raw.sync(dataOnly);
    }

    @Override
    public void truncate(long size) throws IOException {
        raw.truncate(size);
    }

    @Override
    public Stat attributes() throws IOException {
        return raw.attributes();
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        if ((mode & ~ALLOWED_MODES) != 0
                || ((mode & Flags.FALLOC_FL_PUNCH_HOLE) != 0 && (mode & Flags.FALLOC_FL_KEEP_SIZE) == 0)) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode, null);
        }
        posix.fallocate(raw.fd(), mode, offset, length);
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
