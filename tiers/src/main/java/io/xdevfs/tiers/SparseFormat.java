package io.xdevfs.tiers;

import io.xdevfs.posix.Posix;

import java.io.IOException;

/** {@code storage_type = sparse}: raw bytes, zero blocks as holes ({@link SparseContent}). */
final class SparseFormat implements ContentFormat {
    private final Posix posix;
    private final int holeBlockSize;
    private final InodeLocks sizeLocks = new InodeLocks(256);

    SparseFormat(Posix posix, int holeBlockSize) {
        this.posix = posix;
        this.holeBlockSize = holeBlockSize;
    }

    @Override
    public Content wrap(RawContent raw, int flags) throws IOException {
        try {
            return new SparseContent(raw, posix, holeBlockSize, sizeLocks);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
