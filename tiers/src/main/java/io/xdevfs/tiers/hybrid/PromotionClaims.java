package io.xdevfs.tiers.hybrid;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The files that have a claim to come back hot, for the migrator's promotions: renamed ones (a
 * PostgreSQL segment recycled under a new name is about to be rewritten) and ones opened for reading
 * {@code hot_access_threshold} times within a window. Both are kept for at most {@link #MAX_FILES}
 * files each, the oldest claim dropped first, and forgotten with the file: claims are only honoured
 * while the hot tier is below its low-water mark, so under a busy hot tier a mail spool renaming
 * thousands of files a second, or a backup reading every file of a large cold tier once, had grown
 * the daemon's heap without bound (about 100 bytes per file, in a 128 MiB heap). A claim dropped costs
 * a file its early promotion, nothing else. Thread-safe.
 */
final class PromotionClaims {
    /** Claims of each kind kept at most: a few MiB of heap. */
    static final int MAX_FILES = 65_536;

    private record Reads(long windowStart, int count) {
    }

    private final int maxFiles;
    /** Files due to come back hot, oldest claim first. */
    private final LinkedHashSet<Long> queued = new LinkedHashSet<>();
    /** Reads counted per cold file in its current window, oldest window first. */
    private final LinkedHashMap<Long, Reads> reads = new LinkedHashMap<>();
    private long dropped;

    PromotionClaims() {
        this(MAX_FILES);
    }

    PromotionClaims(int maxFiles) {
        this.maxFiles = maxFiles;
    }

    /** A renamed file counts as new: if it is cold, it comes back hot when there is room. */
    synchronized void renamed(long id) {
        queue(id);
    }

    /**
     * A cold file was opened for reading at {@code now}: the {@code threshold}-th time within
     * {@code window} nanoseconds of the first queues it.
     */
    synchronized void read(long id, long now, long window, int threshold) {
        Reads r = reads.get(id);
        if (r == null || now - r.windowStart > window) {
            reads.remove(id); // a new window goes to the end, with the newest
            r = new Reads(now, 1);
        } else {
            r = new Reads(r.windowStart, r.count + 1);
        }
        if (r.count >= threshold) {
            reads.remove(id);
            queue(id);
            return;
        }
        reads.put(id, r);
        if (reads.size() > maxFiles) {
            dropOldest(reads.keySet().iterator());
        }
    }

    private void queue(long id) {
        if (queued.add(id) && queued.size() > maxFiles) {
            dropOldest(queued.iterator());
        }
    }

    private void dropOldest(Iterator<Long> oldestFirst) {
        oldestFirst.next();
        oldestFirst.remove();
        dropped++;
    }

    /** Up to {@code n} queued files, oldest claim first, taken off the queue. */
    synchronized List<Long> take(int n) {
        List<Long> taken = new ArrayList<>(Math.min(n, queued.size()));
        for (Iterator<Long> it = queued.iterator(); it.hasNext() && taken.size() < n; ) {
            taken.add(it.next());
            it.remove();
        }
        return taken;
    }

    /** The file goes cold (or is gone): its claims end. */
    synchronized void forget(long id) {
        queued.remove(id);
        reads.remove(id);
    }

    /** Read counts whose window began more than {@code window} nanoseconds before {@code now} end. */
    synchronized void expireReads(long now, long window) {
        for (Iterator<Map.Entry<Long, Reads>> it = reads.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().windowStart <= window) {
                return; // the rest began later
            }
            it.remove();
        }
    }

    synchronized int queued() {
        return queued.size();
    }

    synchronized int counting() {
        return reads.size();
    }

    /** Claims dropped to stay within {@link #MAX_FILES}, since the mount. */
    synchronized long dropped() {
        return dropped;
    }
}
