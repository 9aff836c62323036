package io.xdevfs.tiers.block;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of block numbers in pages of 4,096 bits, only the pages with a bit set kept: which blocks of a
 * file are written (or may be overwritten in place). A dense bit set costs a bit for every block below
 * the highest, so one block written at 1 TiB of a sparse file cost 32 MiB, and the checksums beside it
 * a gigabyte, more than the daemon's heap. Not thread-safe (the volume's metadata lock guards it).
 */
final class SparseBits {
    private static final int PAGE_SHIFT = 12;
    private static final int WORDS = 1 << (PAGE_SHIFT - 6);
    private final TreeMap<Long, long[]> pages = new TreeMap<>();

    boolean get(long bit) {
        long[] page = pages.get(bit >>> PAGE_SHIFT);
        return page != null && (page[word(bit)] & (1L << bit)) != 0;
    }

    void set(long bit) {
        pages.computeIfAbsent(bit >>> PAGE_SHIFT, p -> new long[WORDS])[word(bit)] |= 1L << bit;
    }

    void clear(long bit) {
        clear(bit, bit + 1);
    }

    /** Clears [from, to). */
    void clear(long from, long to) {
        if (from >= to) {
            return;
        }
        long firstPage = from >>> PAGE_SHIFT;
        long lastPage = (to - 1) >>> PAGE_SHIFT;
        for (Long p : new ArrayList<>(pages.subMap(firstPage, true, lastPage, true).keySet())) {
            long[] page = pages.get(p);
            long pageStart = p << PAGE_SHIFT;
            long a = Math.max(from, pageStart) - pageStart;
            long b = Math.min(to, pageStart + ((long) WORDS << 6)) - pageStart;
            for (long i = a; i < b; ) {
                int w = (int) (i >>> 6);
                long end = Math.min(b, ((long) w + 1) << 6);
                long mask = end - i == 64 ? -1L : ((1L << (end - i)) - 1) << i;
                page[w] &= ~mask;
                i = end;
            }
            if (isEmpty(page)) {
                pages.remove(p);
            }
        }
    }

    void clear() {
        pages.clear();
    }

    /** The first set bit at or after {@code from}, -1 if none. */
    long nextSetBit(long from) {
        for (Map.Entry<Long, long[]> e : pages.tailMap(from >>> PAGE_SHIFT, true).entrySet()) {
            long pageStart = e.getKey() << PAGE_SHIFT;
            long[] page = e.getValue();
            long i = Math.max(from, pageStart) - pageStart;
            for (int w = (int) (i >>> 6); w < WORDS; w++) {
                long bits = page[w] & (w == (int) (i >>> 6) ? -1L << i : -1L);
                if (bits != 0) {
                    return pageStart + ((long) w << 6) + Long.numberOfTrailingZeros(bits);
                }
            }
        }
        return -1;
    }

    /** The first clear bit at or after {@code from}. */
    long nextClearBit(long from) {
        long at = from;
        while (true) {
            long[] page = pages.get(at >>> PAGE_SHIFT);
            if (page == null) {
                return at;
            }
            long pageStart = (at >>> PAGE_SHIFT) << PAGE_SHIFT;
            long i = at - pageStart;
            for (int w = (int) (i >>> 6); w < WORDS; w++) {
                long clear = ~page[w] & (w == (int) (i >>> 6) ? -1L << i : -1L);
                if (clear != 0) {
                    return pageStart + ((long) w << 6) + Long.numberOfTrailingZeros(clear);
                }
            }
            at = pageStart + ((long) WORDS << 6);
        }
    }

    private static int word(long bit) {
        return (int) (bit >>> 6) & (WORDS - 1);
    }

    private static boolean isEmpty(long[] page) {
        for (long w : page) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }
}
