package io.xdevfs.tiers.tmpfs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The byte ranges of one file written since its last sync reached the intent log (or, in
 * {@link CutChanges}, since the log's last cut): merged as they are added, collapsed into one covering range past {@value #MAX_RANGES} pieces (a sync then logs a little
 * more than was written, never less). Thread-safe.
 */
final class DirtyRanges {
    static final int MAX_RANGES = 1024;

    /** The checkpoint epoch of the last write ({@link LoggedVolume}). */
    volatile long epoch;

    /**
     * The file's mtime as this daemon last changed it: the clock just after its last write, or what a
     * truncate, fallocate or utimens left. A sync logs it rather than reading the file's times
     * ({@link io.xdevfs.posix.Posix#fileSize} says why).
     */
    volatile Instant mtime = Instant.EPOCH;

    /** start → end (exclusive), non-overlapping, non-adjacent. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    synchronized void add(long start, long end) {
        if (end <= start) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(start)) != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(start, end);
        if (ranges.size() > MAX_RANGES) {
            long first = ranges.firstKey();
            long last = ranges.lastEntry().getValue();
            ranges.clear();
            ranges.put(first, last);
        }
    }

    /** Takes every range out, each clipped to {@code size}. */
    synchronized List<long[]> take(long size) {
        List<long[]> out = list(size);
        ranges.clear();
        return out;
    }

    /** Every range, each clipped to {@code size}; they stay. */
    synchronized List<long[]> list(long size) {
        List<long[]> out = new ArrayList<>();
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            long end = Math.min(e.getValue(), size);
            if (e.getKey() < end) {
                out.add(new long[] {e.getKey(), end});
            }
        }
        return out;
    }

    /** Puts back ranges a sync took but could not log (the log had no room). */
    synchronized void restore(List<long[]> taken) {
        for (long[] r : taken) {
            add(r[0], r[1]);
        }
    }

    static long bytes(List<long[]> taken) {
        long n = 0;
        for (long[] r : taken) {
            n += r[1] - r[0];
        }
        return n;
    }
}
