package io.xdevfs.tiers.hybrid;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The cold tier's files, logical bytes and stored bytes, for the gauges. The cold tier may hold
 * millions of files and its bytes are known only by a stat of each, so the migrator counts them in
 * full at most every {@link #RECOUNT_NANOS}; its other passes only list the names (a few system calls
 * per thousand files), and every move into or out of the tier and every deletion of a cold object
 * adjusts the bytes. A listing that finds another number of files than those make (files made in a
 * directory pinned cold, a move that raced the listing) makes the next pass count in full; a write to a
 * cold file shows at the next full count. Thread-safe.
 */
final class ColdCount {
    static final long RECOUNT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final LongSupplier clock;
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    /** The files the last full count found, plus the moves in, minus the moves out and the deletions. */
    private final AtomicLong expected = new AtomicLong();
    private volatile boolean counted;
    private volatile long countedAt;

    ColdCount(LongSupplier clock) {
        this.clock = clock;
    }

    /** Whether the next pass counts every cold file's bytes: the first pass, then every {@link #RECOUNT_NANOS}. */
    boolean fullCountDue() {
        return !counted || clock.getAsLong() - countedAt >= RECOUNT_NANOS;
    }

    void counted(long files, long bytes, long stored) {
        this.files.set(files);
        this.bytes.set(bytes);
        this.stored.set(stored);
        expected.set(files);
        countedAt = clock.getAsLong();
        counted = true;
    }

    /** A pass between full counts: the names listed; another number than expected makes a full count due. */
    void listed(long files) {
        this.files.set(files);
        if (files != expected.get()) {
            counted = false;
        }
    }

    /** A file moved into the cold tier, its object there this large. */
    void arrived(long size, long storedBytes) {
        expected.incrementAndGet();
        bytes.addAndGet(size);
        stored.addAndGet(storedBytes);
    }

    /** A file moved out of the cold tier or deleted there, its object having been this large. */
    void left(long size, long storedBytes) {
        expected.decrementAndGet();
        bytes.addAndGet(-size);
        stored.addAndGet(-storedBytes);
    }

    long files() {
        return files.get();
    }

    long bytes() {
        return Math.max(0, bytes.get());
    }

    long stored() {
        return Math.max(0, stored.get());
    }
}
