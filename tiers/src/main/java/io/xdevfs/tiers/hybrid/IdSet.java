package io.xdevfs.tiers.hybrid;

import java.io.IOException;
import java.util.Arrays;

/**
 * A set of file ids in 8 bytes each (a boxed hash set takes about 50): recovery at mount holds one per
 * tier and one for the whole namespace, which may have millions of files. Filled, then {@link #seal()}ed,
 * then read. Not thread-safe.
 */
final class IdSet {
    private long[] ids = new long[1024];
    private int size;
    private boolean sealed;

    void add(long id) {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    /** Sorts and drops repeats (a file with two names is met twice); no adds after. */
    IdSet seal() {
        Arrays.sort(ids, 0, size);
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (kept == 0 || ids[i] != ids[kept - 1]) {
                ids[kept++] = ids[i];
            }
        }
        size = kept;
        sealed = true;
        return this;
    }

    boolean contains(long id) {
        requireSealed();
        return Arrays.binarySearch(ids, 0, size, id) >= 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        requireSealed();
        return size;
    }

    @FunctionalInterface
    interface IdWork {
        void accept(long id) throws IOException;
    }

    /** Each id in increasing order; the work's first failure ends the walk. */
    void forEach(IdWork each) throws IOException {
        requireSealed();
        for (int i = 0; i < size; i++) {
            each.accept(ids[i]);
        }
    }

    private void requireSealed() {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
    }
}
