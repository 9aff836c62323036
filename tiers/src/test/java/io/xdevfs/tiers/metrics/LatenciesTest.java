package io.xdevfs.tiers.metrics;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatenciesTest {
    /** The one-walk figures are HdrHistogram's own, for histograms of every shape from one value to many. */
    @Test
    void oneWalkGivesWhatTheHistogramAnswersFigureByFigure() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            Histogram h = new Histogram(1_000, 3_600_000_000_000L, 2);
            int values = round < 10 ? round + 1 : random.nextInt(20_000);
            for (int i = 0; i < values; i++) {
                long v = round % 3 == 0 ? 1_000 + random.nextInt(5_000_000) // spread
                        : (long) (200_000 * Math.exp(random.nextGaussian() * (round % 7 + 1) / 3)); // a latency's long tail
                h.recordValue(Math.max(1_000, Math.min(3_600_000_000_000L, v)));
            }
            Latencies l = Latencies.of(h);
            String shape = "round " + round + ", " + values + " values";
            if (values == 0) {
                assertEquals(Latencies.NONE, l, shape);
                continue;
            }
            assertEquals(h.getMean(), l.meanNanos(), h.getMean() * 1e-9, shape);
            assertEquals(h.getValueAtPercentile(50), l.p50(), shape);
            assertEquals(h.getValueAtPercentile(90), l.p90(), shape);
            assertEquals(h.getValueAtPercentile(99), l.p99(), shape);
            assertEquals(h.getValueAtPercentile(99.9), l.p999(), shape);
            assertEquals(h.getMaxValue(), l.max(), shape);
        }
    }

    @Test
    void anEmptyHistogramIsAllZeros() {
        assertEquals(Latencies.NONE, Latencies.of(new Histogram(1_000, 3_600_000_000_000L, 2)));
    }

    /** Figures read once are kept until values arrive; a reset clears them. */
    @Test
    void snapshotsFollowNewValuesAndResets() {
        OpMetrics m = new OpMetrics(Op.WRITE);
        assertEquals(0, m.snapshot().p50Nanos());
        m.record(2_000_000, 0, OpMetrics.Outcome.OK);
        OpMetrics.Snapshot first = m.snapshot();
        assertEquals(2_000_000, first.p50Nanos(), 2_000_000 * 0.01);
        assertEquals(first, m.snapshot());
        m.record(9_000_000, 0, OpMetrics.Outcome.OK);
        assertEquals(9_000_000, m.snapshot().maxNanos(), 9_000_000 * 0.01);
        m.reset();
        assertEquals(0, m.snapshot().maxNanos());
        assertEquals(0, m.snapshot().ops());
    }
}
