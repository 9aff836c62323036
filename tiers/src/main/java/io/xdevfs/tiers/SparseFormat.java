package io.xdevfs.tiers;


import java.io.IOException;

/** {@code storage_type = sparse}: backing bytes, zero blocks as holes ({@link SparseContent}). */
final class SparseFormat implements ContentFormat {
    private final int holeBlockSize;
    private final InodeLocks sizeLocks = new InodeLocks(256);

    SparseFormat(int holeBlockSize) {
        this.holeBlockSize = holeBlockSize;
    }

    @Override
    public Content wrap(BackingFile backing, int flags) throws IOException {
        try {
            return new SparseContent(backing, holeBlockSize, sizeLocks);
        } catch (IOException | RuntimeException e) {
            backing.close();
            throw e;
        }
    }
}
