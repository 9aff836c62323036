package io.xdevfs.tiers.block;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ints by a long index in pages of 1,024, only pages with a value other than the default kept: a
 * file's checksum per block and allocation unit per piece, whose memory then follows the bytes
 * written, not the file's highest offset ({@link SparseBits} says why). Not thread-safe.
 */
final class SparseInts {
    private static final int PAGE_SHIFT = 10;
    private static final int PAGE = 1 << PAGE_SHIFT;
    private final int absent;
    private final TreeMap<Long, int[]> pages = new TreeMap<>();
    private long present;

    /** {@code absent}: the value of every index never set. */
    SparseInts(int absent) {
        this.absent = absent;
    }

    int get(long index) {
        int[] page = pages.get(index >>> PAGE_SHIFT);
        return page == null ? absent : page[(int) (index & (PAGE - 1))];
    }

    void set(long index, int value) {
        int[] page = pages.get(index >>> PAGE_SHIFT);
        if (page == null) {
            if (value == absent) {
                return;
            }
            page = new int[PAGE];
            Arrays.fill(page, absent);
            pages.put(index >>> PAGE_SHIFT, page);
        }
        int slot = (int) (index & (PAGE - 1));
        present += (value != absent ? 1 : 0) - (page[slot] != absent ? 1 : 0);
        page[slot] = value;
    }

    /** How many indexes hold another value than the default. */
    long present() {
        return present;
    }

    @FunctionalInterface
    interface Each {
        void accept(long index, int value);
    }

    /** Each index at or after {@code from} with another value than the default, in order. */
    void forEachFrom(long from, Each each) {
        for (Map.Entry<Long, int[]> e : pages.tailMap(from >>> PAGE_SHIFT, true).entrySet()) {
            long pageStart = e.getKey() << PAGE_SHIFT;
            int[] page = e.getValue();
            for (int i = (int) Math.max(0, from - pageStart); i < PAGE; i++) {
                if (page[i] != absent) {
                    each.accept(pageStart + i, page[i]);
                }
            }
        }
    }

    /** Every index at or after {@code from} back to the default (a truncate: page by page, under the metadata lock). */
    void clearFrom(long from) {
        for (Long p : new ArrayList<>(pages.tailMap(from >>> PAGE_SHIFT, true).keySet())) {
            int[] page = pages.get(p);
            for (int i = (int) Math.max(0, from - (p << PAGE_SHIFT)); i < PAGE; i++) {
                if (page[i] != absent) {
                    page[i] = absent;
                    present--;
                }
            }
            if (p << PAGE_SHIFT >= from) {
                pages.remove(p);
            }
        }
    }

    /** The values of [from, to) (a checkpoint's runs: copied a page at a time). */
    int[] range(long from, long to) {
        int[] out = new int[(int) (to - from)];
        for (int done = 0; done < out.length; ) {
            long index = from + done;
            int slot = (int) (index & (PAGE - 1));
            int n = Math.min(out.length - done, PAGE - slot);
            int[] page = pages.get(index >>> PAGE_SHIFT);
            if (page == null) {
                Arrays.fill(out, done, done + n, absent);
            } else {
                System.arraycopy(page, slot, out, done, n);
            }
            done += n;
        }
        return out;
    }
}
