package io.xdevfs.tiers;

/**
 * Striped monitors keyed by inode number: the lock under which a file's size may change in the
 * sparse format. Striping bounds memory; two files sharing a stripe only wait for each other.
 */
final class SizeLocks {
    private final Object[] stripes;

    SizeLocks(int count) {
        stripes = new Object[Integer.highestOneBit(Math.max(1, count))];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    Object lockFor(long inode) {
        long h = inode * 0x9E3779B97F4A7C15L;
        return stripes[(int) (h >>> 40) & (stripes.length - 1)];
    }
}
