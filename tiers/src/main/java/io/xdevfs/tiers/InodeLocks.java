package io.xdevfs.tiers;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Striped read-write locks keyed by inode number, shared by every handle of a file: readers and
 * writers that cannot disturb each other share the lock, work that rewrites bytes it did not get
 * from the caller (read-modify-write of a block, a size change) takes it alone. Striping bounds
 * memory; two files sharing a stripe only wait for each other.
 */
final class InodeLocks {
    private final ReadWriteLock[] stripes;

    InodeLocks(int count) {
        stripes = new ReadWriteLock[Integer.highestOneBit(Math.max(1, count))];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    ReadWriteLock lockFor(long inode) {
        long h = inode * 0x9E3779B97F4A7C15L;
        return stripes[(int) (h >>> 40) & (stripes.length - 1)];
    }
}
