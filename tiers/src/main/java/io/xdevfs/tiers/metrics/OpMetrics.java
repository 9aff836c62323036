package io.xdevfs.tiers.metrics;

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
    private final LongAdder answers = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private static final long LOWEST = 1_000;
    private static final long HIGHEST = 3_600_000_000_000L;
    private static final int DIGITS = 2;

    private final Recorder recorder = new Recorder(LOWEST, HIGHEST, DIGITS);
    /** Everything since the last reset. Guarded by the owning Metrics' lock. */
    private final Histogram total = new Histogram(LOWEST, HIGHEST, DIGITS);
    private Histogram interval;
    /** {@link #total}'s figures, read again only when values arrive. Guarded by the Metrics lock. */
    private Latencies latencies = Latencies.NONE;

    OpMetrics(Op op) {
        this.op = op;
    }

    void record(long nanos, long byteCount, Outcome outcome) {
        ops.increment();
        if (byteCount > 0) {
            bytes.add(byteCount);
        }
        if (outcome == Outcome.ANSWER) {
            answers.increment();
        } else if (outcome == Outcome.ERROR) {
            errors.increment();
        }
        recorder.recordValue(Math.max(LOWEST, Math.min(HIGHEST, nanos)));
    }

    /** Caller holds the Metrics lock. Moves what was recorded since the last call into the total. */
    Snapshot snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        if (interval.getTotalCount() > 0) {
            total.add(interval);
            latencies = Latencies.of(total);
        }
        Latencies l = latencies;
        return new Snapshot(op, ops.sum(), bytes.sum(), errors.sum(), answers.sum(), l.meanNanos(), l.p50(), l.p90(), l.p99(),
                l.p999(), l.max());
    }

    /** Caller holds the Metrics lock. */
    void reset() {
        ops.reset();
        bytes.reset();
        answers.reset();
        errors.reset();
        recorder.reset();
        total.reset();
        latencies = Latencies.NONE;
    }

    /**
     * How a call ended: an answer is a failure that is the file system's ordinary reply (ENOENT of a
     * lookup, ENODATA of the kernel's security.capability query, EEXIST of O_EXCL, ...); an error is a
     * failure of the store (EIO, ENOSPC, EROFS, EDQUOT, or not an errno at all).
     */
    enum Outcome { OK, ANSWER, ERROR }

    /**
     * Totals since the last reset; latencies in nanoseconds (p50 ... max of the histogram). {@code errors}
     * counts failures of the store (EIO, ENOSPC, EROFS, EDQUOT, or not an errno at all), the ones health
     * cares about; {@code answers} the other failed calls, which are ordinary replies ({@link Outcome}).
     */
    public record Snapshot(Op op, long ops, long bytes, long errors, long answers, double meanNanos, long p50Nanos, long p90Nanos,
                           long p99Nanos, long p999Nanos, long maxNanos) {
    }
}
