package io.xdevfs.tiers.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Mean, p50, p90, p99, p99.9 and max of a latency histogram, read in one walk of its recorded buckets
 * with HdrHistogram's own definitions ({@code getMean}, {@code getValueAtPercentile}). Asking the
 * histogram for each figure walks its counts once per figure, and an empty one all 3,456 of them every
 * time: with every operation's histogram read at each stats call, that was 1-5 ms on the request
 * thread, during which the writers' fsyncs waited (docs/benchmarks.md, "Statistics on the request thread").
 */
record Latencies(double meanNanos, long p50, long p90, long p99, long p999, long max) {
    static final Latencies NONE = new Latencies(0, 0, 0, 0, 0, 0);
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    static Latencies of(Histogram h) {
        long count = h.getTotalCount();
        if (count == 0) {
            return NONE;
        }
        long[] wanted = new long[PERCENTILES.length];
        for (int i = 0; i < wanted.length; i++) {
            double p = Math.nextAfter(PERCENTILES[i], Double.NEGATIVE_INFINITY); // as getValueAtPercentile
            wanted[i] = Math.max(1, (long) Math.ceil(p / 100.0 * count));
        }
        long[] at = new long[PERCENTILES.length];
        int next = 0;
        double sum = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
            long value = v.getValueIteratedTo();
            sum += (double) h.medianEquivalentValue(value) * v.getCountAtValueIteratedTo();
            while (next < wanted.length && v.getTotalCountToThisValue() >= wanted[next]) {
                at[next++] = value;
            }
        }
        return new Latencies(sum / count, at[0], at[1], at[2], at[3], h.getMaxValue());
    }
}
