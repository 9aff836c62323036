package io.xdevfs.tiers.format;

import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;

/** {@code storage_type = sparse}: backing bytes, zero blocks as holes ({@link SparseContent}). */
public final class SparseFormat implements ContentFormat {
    private final int holeBlockSize;

    public SparseFormat(int holeBlockSize) {
        this.holeBlockSize = holeBlockSize;
    }

    @Override
    public Content wrap(BackingFile backing, OpenFiles.Entry open, int flags) {
        return new SparseContent(backing, holeBlockSize, open.lock);
    }
}
