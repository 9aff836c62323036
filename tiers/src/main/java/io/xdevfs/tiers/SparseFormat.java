package io.xdevfs.tiers;


/** {@code storage_type = sparse}: backing bytes, zero blocks as holes ({@link SparseContent}). */
final class SparseFormat implements ContentFormat {
    private final int holeBlockSize;

    SparseFormat(int holeBlockSize) {
        this.holeBlockSize = holeBlockSize;
    }

    @Override
    public Content wrap(BackingFile backing, OpenFiles.Entry open, int flags) {
        return new SparseContent(backing, holeBlockSize, open.lock);
    }
}
