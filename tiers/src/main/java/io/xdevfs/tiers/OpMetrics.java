package io.xdevfs.tiers;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * One operation's counters and latency histogram. Recording is lock-free (LongAdder, HdrHistogram's
 * Recorder, whose writers never block); reading ({@link #snapshot}) is serialised by {@link Metrics}.
 * Latencies are nanoseconds from 1 us to an hour at 2 significant digits (1% precision): plain
 * (not packed) histograms, whose recording is a few array increments, in about 100 KiB per operation.
 */
final class OpMetrics {
    final Op op;
    private final LongAdder ops = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder faults = new LongAdder();
    private static final long LOWEST = 1_000;
    private static final long HIGHEST = 3_600_000_000_000L;
    private static final int DIGITS = 2;

    private final Recorder recorder = new Recorder(LOWEST, HIGHEST, DIGITS);
    /** Everything since the last reset. Guarded by the owning Metrics' lock. */
    private final Histogram total = new Histogram(LOWEST, HIGHEST, DIGITS);
    private Histogram interval;

    OpMetrics(Op op) {
        this.op = op;
    }

    void record(long nanos, long byteCount, Outcome outcome) {
        ops.increment();
        if (byteCount > 0) {
            bytes.add(byteCount);
        }
        if (outcome != Outcome.OK) {
            errors.increment();
            if (outcome == Outcome.FAULT) {
                faults.increment();
            }
        }
        recorder.recordValue(Math.max(LOWEST, Math.min(HIGHEST, nanos)));
    }

    /** Caller holds the Metrics lock. Moves what was recorded since the last call into the total. */
    Snapshot snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return new Snapshot(op, ops.sum(), bytes.sum(), errors.sum(), faults.sum(), total.getTotalCount() == 0 ? 0 : total.getMean(),
                total.getValueAtPercentile(50), total.getValueAtPercentile(90), total.getValueAtPercentile(99),
                total.getValueAtPercentile(99.9), total.getMaxValue());
    }

    /** Caller holds the Metrics lock. */
    void reset() {
        ops.reset();
        bytes.reset();
        errors.reset();
        faults.reset();
        recorder.reset();
        total.reset();
    }

    /** How a call ended: an error is any failure, a fault one that is not an ordinary POSIX answer. */
    enum Outcome { OK, ERROR, FAULT }

    /**
     * Totals since the last reset; latencies in nanoseconds (p50 ... max of the histogram). {@code errors}
     * counts every failed call (ENOENT of a lookup included); {@code faults} only I/O failures (EIO,
     * ENOSPC, EROFS, EDQUOT, or not an errno at all), the ones health cares about.
     */
    public record Snapshot(Op op, long ops, long bytes, long errors, long faults, double meanNanos, long p50Nanos, long p90Nanos,
                           long p99Nanos, long p999Nanos, long maxNanos) {
    }
}
