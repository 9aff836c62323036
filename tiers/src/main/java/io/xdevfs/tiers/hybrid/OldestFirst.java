package io.xdevfs.tiers.hybrid;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * The {@code limit} oldest of the items offered, by a time each has: what a migration pass may move,
 * kept while the hot tier is listed instead of a record per hot file. Not thread-safe.
 */
final class OldestFirst<T> {
    private final int limit;
    private final Comparator<T> oldestFirst;
    /** The newest kept on top, to be dropped when an older one comes. */
    private final PriorityQueue<T> kept;

    OldestFirst(int limit, ToLongFunction<T> time) {
        this.limit = limit;
        this.oldestFirst = Comparator.comparingLong(time);
        this.kept = new PriorityQueue<>(limit + 1, oldestFirst.reversed());
    }

    void offer(T item) {
        kept.add(item);
        if (kept.size() > limit) {
            kept.poll();
        }
    }

    List<T> oldestFirst() {
        List<T> all = new ArrayList<>(kept);
        all.sort(oldestFirst);
        return all;
    }
}
