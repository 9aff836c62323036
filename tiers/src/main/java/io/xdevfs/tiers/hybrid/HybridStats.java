package io.xdevfs.tiers.hybrid;

import io.xdevfs.tiers.metrics.Metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** What a hybrid volume's moves did, and how busy the foreground is (moves back off while it is). */
final class HybridStats {
    /** Reads and writes per second above which background copies pause between chunks. */
    static final long BUSY_OPS_PER_SECOND = 2000;

    private final LongAdder movedCold = new LongAdder();
    private final LongAdder movedHot = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesMoved = new LongAdder();
    private final AtomicLong lastMoveNanos = new AtomicLong();
    private final LongAccumulator maxMoveNanos = new LongAccumulator(Math::max, 0);
    private final LongAccumulator maxSwitchNanos = new LongAccumulator(Math::max, 0);
    private final LongAdder fullHotWrites = new LongAdder();
    private final LongAccumulator maxFullHotWriteNanos = new LongAccumulator(Math::max, 0);
    private final LongAdder foreground = new LongAdder();
    private long sampledAt = System.nanoTime();
    private long sampledOps;
    private boolean busy;

    void moved(Tier to, long bytes, long nanos) {
        (to == Tier.COLD ? movedCold : movedHot).increment();
        bytesMoved.add(bytes);
        lastMoveNanos.set(nanos);
        maxMoveNanos.accumulate(nanos);
    }

    void aborted() {
        aborted.increment();
    }

    void failed() {
        failed.increment();
    }

    /** How long a switch held a file's gate alone: the longest a call on the file waited for a move. */
    void switched(long nanos) {
        maxSwitchNanos.accumulate(nanos);
    }

    void fullHotWrite(long nanos) {
        fullHotWrites.increment();
        maxFullHotWriteNanos.accumulate(nanos);
    }

    void foreground() {
        foreground.increment();
    }

    /** More than {@link #BUSY_OPS_PER_SECOND} reads and writes a second over the last tenth of a second or so. */
    synchronized boolean foregroundBusy() {
        long now = System.nanoTime();
        if (now - sampledAt >= 100_000_000L) {
            long ops = foreground.sum();
            busy = (ops - sampledOps) * 1e9 / (now - sampledAt) > BUSY_OPS_PER_SECOND;
            sampledOps = ops;
            sampledAt = now;
        }
        return busy;
    }

    long movesDone() {
        return movedCold.sum() + movedHot.sum();
    }

    void registerGauges(Metrics metrics, Migrator migrator) {
        metrics.gauge("hybrid_moves_to_cold_total", movedCold::sum);
        metrics.gauge("hybrid_moves_to_hot_total", movedHot::sum);
        metrics.gauge("hybrid_moves_aborted_total", aborted::sum);
        metrics.gauge("hybrid_moves_failed_total", failed::sum);
        metrics.gauge("hybrid_bytes_moved_total", bytesMoved::sum);
        metrics.gauge("hybrid_move_seconds_last", () -> lastMoveNanos.get() / 1e9);
        metrics.gauge("hybrid_move_seconds_max", () -> maxMoveNanos.get() / 1e9);
        metrics.gauge("hybrid_switch_wait_seconds_max", () -> maxSwitchNanos.get() / 1e9);
        metrics.gauge("hybrid_full_hot_writes_total", fullHotWrites::sum);
        metrics.gauge("hybrid_full_hot_write_seconds_max", () -> maxFullHotWriteNanos.get() / 1e9);
        migrator.registerGauges(metrics);
    }
}
