package io.xdevfs.tiers.metrics;

import java.util.ArrayList;
import java.util.List;

/** One operation's figures as reported: totals, last-interval rates, latencies in microseconds. */
public record OpMetricsView(Op op, long ops, long bytes, long errors, long answers, double opsPerSecond,
                            double bytesPerSecond, double meanUs, double p50Us, double p90Us, double p99Us,
                            double p999Us, double maxUs) {

    /** Every operation of {@code m}, in {@link Op} order. */
    public static List<OpMetricsView> of(Metrics m) {
        List<OpMetricsView> out = new ArrayList<>();
        for (OpMetrics.Snapshot s : m.operations()) {
            double[] rate = m.rate(s.op());
            out.add(new OpMetricsView(s.op(), s.ops(), s.bytes(), s.errors(), s.answers(), rate[0], rate[1],
                    s.meanNanos() / 1e3, s.p50Nanos() / 1e3, s.p90Nanos() / 1e3, s.p99Nanos() / 1e3,
                    s.p999Nanos() / 1e3, s.maxNanos() / 1e3));
        }
        return out;
    }
}
