package io.xdevfs.tiers.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a volume did: per operation ops, bytes, errors and latency percentiles (see {@link OpMetrics}),
 * rates over the last interval ({@link #tick}, called by the daemon every second), and gauges that
 * other parts register (open files, cache and compression figures).
 *
 * <p>Thread-safe. Recording never takes a lock; snapshots, ticks and resets are serialised on this.
 */
public final class Metrics {
    private final Map<Op, OpMetrics> ops = new EnumMap<>(Op.class);
    private final Map<String, Supplier<Number>> gauges = new LinkedHashMap<>();
    private final LongSupplier clock;
    private long resetAt;
    private long lastTick;
    private Map<Op, long[]> lastTotals = new EnumMap<>(Op.class);
    private Map<Op, double[]> rates = new EnumMap<>(Op.class);

    /** @param clock nanoseconds, {@code System::nanoTime} outside tests */
    public Metrics(LongSupplier clock) {
        this.clock = clock;
        for (Op op : Op.values()) {
            ops.put(op, new OpMetrics(op));
        }
        resetAt = lastTick = clock.getAsLong();
    }

    public LongSupplier clock() {
        return clock;
    }

    /** Records one call; {@code nanos} from {@link #clock()} differences; {@code failure} null on success. */
    public void record(Op op, long nanos, long bytes, Throwable failure) {
        ops.get(op).record(nanos, bytes, outcome(failure));
    }

    private static OpMetrics.Outcome outcome(Throwable failure) {
        if (failure == null) {
            return OpMetrics.Outcome.OK;
        }
        if (failure instanceof io.xdevfs.posix.PosixException p) {
            int e = p.errno();
            boolean fault = e == io.xdevfs.posix.Errno.EIO || e == io.xdevfs.posix.Errno.ENOSPC
                    || e == io.xdevfs.posix.Errno.EROFS || e == io.xdevfs.posix.Errno.EDQUOT;
            return fault ? OpMetrics.Outcome.ERROR : OpMetrics.Outcome.ANSWER;
        }
        return OpMetrics.Outcome.ERROR;
    }

    /** A figure read at snapshot time, e.g. "open_files". */
    public synchronized void gauge(String name, Supplier<Number> value) {
        gauges.put(name, value);
    }

    /** Totals per operation since the last reset, with latency percentiles. */
    synchronized List<OpMetrics.Snapshot> operations() {
        List<OpMetrics.Snapshot> out = new ArrayList<>();
        for (OpMetrics m : ops.values()) {
            out.add(m.snapshot());
        }
        return out;
    }

    /** The gauge {@code name} read now; null if none is registered under it. */
    public synchronized Number gauge(String name) {
        Supplier<Number> g = gauges.get(name);
        return g == null ? null : g.get();
    }

    public synchronized Map<String, Number> gauges() {
        Map<String, Number> out = new LinkedHashMap<>();
        gauges.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Operations and bytes per second of {@code op} over the last completed interval: {ops/s, bytes/s}. */
    public synchronized double[] rate(Op op) {
        return rates.getOrDefault(op, new double[2]);
    }

    /** Closes an interval: rates become (totals now - totals at the last tick) / elapsed. */
    public synchronized void tick() {
        long now = clock.getAsLong();
        double seconds = Math.max(1e-9, (now - lastTick) / 1e9);
        Map<Op, long[]> totals = new EnumMap<>(Op.class);
        Map<Op, double[]> newRates = new EnumMap<>(Op.class);
        for (OpMetrics.Snapshot s : operations()) {
            long[] t = {s.ops(), s.bytes()};
            long[] before = lastTotals.getOrDefault(s.op(), new long[2]);
            totals.put(s.op(), t);
            newRates.put(s.op(), new double[] {Math.max(0, t[0] - before[0]) / seconds,
                Math.max(0, t[1] - before[1]) / seconds});
        }
        lastTotals = totals;
        rates = newRates;
        lastTick = now;
    }

    /** Errors (failures of the store) of all operations since the last reset. */
    public synchronized long errors() {
        long sum = 0;
        for (OpMetrics.Snapshot s : operations()) {
            sum += s.errors();
        }
        return sum;
    }

    /** The seed's reset_stats: every counter and histogram back to zero. */
    public synchronized void reset() {
        for (OpMetrics m : ops.values()) {
            m.reset();
        }
        lastTotals = new EnumMap<>(Op.class);
        rates = new EnumMap<>(Op.class);
        resetAt = lastTick = clock.getAsLong();
    }

    /** Seconds since the counters were last reset (or created). */
    public synchronized double secondsSinceReset() {
        return (clock.getAsLong() - resetAt) / 1e9;
    }
}
