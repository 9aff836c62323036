package io.xdevfs.tiers.tmpfs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What each file's bytes did since the log's last cut, so that a checkpoint can bring the previous copy
 * of a changed file up to date in place instead of copying it whole: the ranges written (or allocated,
 * punched, zeroed) and the lowest size a truncation left, by file id. A cut hands the changes gathered
 * so far to its checkpoint and starts afresh; a checkpoint that fails gives them back, so the next one
 * patches from the same copy. Until a checkpoint of this volume has completed there is no copy these
 * changes are relative to (the copy from before the mount lacks what a replay, or the last daemon
 * after its last copy, changed), so the first cut hands over none: every changed file is copied whole.
 *
 * <p>A change is recorded after it is made, and a cut swaps the table under a lock every record
 * shares: a change recorded in the table a cut handed over was made before the copy began reading.
 */
final class CutChanges {
    /** One file's changes since a cut. */
    static final class OfFile {
        final DirtyRanges ranges = new DirtyRanges();
        private long lowestSize = Long.MAX_VALUE;

        synchronized void lowered(long size) {
            lowestSize = Math.min(lowestSize, size);
        }

        /** The lowest size a truncation left, or Long.MAX_VALUE when none shrank the file. */
        synchronized long lowestSize() {
            return lowestSize;
        }

        void addTo(OfFile later) {
            later.ranges.restore(ranges.take(Long.MAX_VALUE));
            later.lowered(lowestSize());
        }
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Swapped under the write lock; entries change under the read lock. */
    private Map<Long, OfFile> since = new ConcurrentHashMap<>();
    /** What the checkpoint under way was handed (checkpoints run one at a time). */
    private Map<Long, OfFile> handedOver;
    private volatile boolean copyIsOurs;

    void written(long id, long start, long end) {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            since.computeIfAbsent(id, k -> new OfFile()).ranges.add(start, end);
        } finally {
            shared.unlock();
        }
    }

    void truncated(long id, long size) {
        Lock shared = lock.readLock();
        shared.lock();
        try {
            since.computeIfAbsent(id, k -> new OfFile()).lowered(size);
        } finally {
            shared.unlock();
        }
    }

    /**
     * At a checkpoint's cut, before its copy reads anything: the changes since the current copy began,
     * by file id (a changed file without an entry changed no byte), or null when the current copy is
     * not one this volume took.
     */
    Map<Long, OfFile> handOver() {
        Lock alone = lock.writeLock();
        alone.lock();
        try {
            handedOver = since;
            since = new ConcurrentHashMap<>();
            return copyIsOurs ? handedOver : null;
        } finally {
            alone.unlock();
        }
    }

    /** The checkpoint's copy is current: later changes are relative to it. */
    void copied() {
        handedOver = null;
        copyIsOurs = true;
    }

    /** The checkpoint failed: the copy before it stays current, and the next one needs these changes too. */
    void notCopied() {
        Map<Long, OfFile> back = handedOver;
        handedOver = null;
        if (back == null) {
            return;
        }
        Lock shared = lock.readLock();
        shared.lock();
        try {
            back.forEach((id, changes) -> changes.addTo(since.computeIfAbsent(id, k -> new OfFile())));
        } finally {
            shared.unlock();
        }
    }
}
