package io.xdevfs.fs.daemon;

import io.xdevfs.tiers.metrics.Metrics;
import io.xdevfs.tiers.metrics.Op;
import io.xdevfs.tiers.metrics.OpMetricsView;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three renderings of {@link Metrics}: JSON for machines (the seed's field names: read_ops,
 * write_bytes, ...), a table for people, and the Prometheus text format.
 */
public final class StatsFormat {

    public static String json(Metrics m) {
        List<OpMetricsView> ops = OpMetricsView.of(m);
        StringBuilder b = new StringBuilder(4096).append("{\n");
        field(b, "since_reset_sec", m.secondsSinceReset());
        for (OpMetricsView o : ops) {
            String k = o.op().key();
            field(b, k + "_ops", o.ops());
            if (o.op().movesData()) {
                field(b, k + "_bytes", o.bytes());
                field(b, k + "_bandwidth", o.bytesPerSecond());
            }
            field(b, k + "_iops", o.opsPerSecond());
            field(b, k + "_errors", o.errors());
            field(b, k + "_answers", o.answers());
            b.append("  \"").append(k).append("_latency_us\": {\"mean\": ");
            fixed(b, o.meanUs(), 1).append(", \"p50\": ");
            fixed(b, o.p50Us(), 1).append(", \"p90\": ");
            fixed(b, o.p90Us(), 1).append(", \"p99\": ");
            fixed(b, o.p99Us(), 1).append(", \"p999\": ");
            fixed(b, o.p999Us(), 1).append(", \"max\": ");
            fixed(b, o.maxUs(), 1).append("},\n");
        }
        for (Map.Entry<String, Number> g : m.gauges().entrySet()) {
            field(b, g.getKey(), g.getValue());
        }
        b.setLength(b.length() - 2); // the last ",\n"
        return b.append("\n}\n").toString();
    }

    private static void field(StringBuilder b, String name, Number value) {
        b.append("  \"").append(name).append("\": ").append(number(value)).append(",\n");
    }

    private static String number(Number n) {
        if (n instanceof Double || n instanceof Float) {
            return fixed(new StringBuilder(24), n.doubleValue(), 3).toString();
        }
        return String.valueOf(n.longValue());
    }

    private static final long[] SCALE = {1, 10, 100, 1000};

    /**
     * {@code d} with {@code decimals} (at most 3) places, half up, as {@code %.Nf} writes it; 0 for what
     * is not finite. String.format cost about 10 us a number, 150 numbers a render, for a monitor that
     * may poll several times a second.
     */
    static StringBuilder fixed(StringBuilder b, double d, int decimals) {
        long scale = SCALE[decimals];
        if (!Double.isFinite(d) || Math.abs(d) * scale >= 1e15) { // past 2^53 the scaled double loses units
            return b.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%." + decimals + "f", d) : "0");
        }
        long scaled = Math.round(Math.abs(d) * scale);
        if (d < 0 && scaled != 0) {
            b.append('-');
        }
        b.append(scaled / scale);
        if (decimals > 0) {
            String fraction = Long.toString(scaled % scale);
            b.append('.');
            for (int i = fraction.length(); i < decimals; i++) {
                b.append('0');
            }
            b.append(fraction);
        }
        return b;
    }

    public static String table(Metrics m, String mountPoint) {
        StringBuilder b = new StringBuilder(4096);
        b.append(String.format(Locale.ROOT, "xdevfs %s: %.0f s since reset; rates over the last second%n%n",
                mountPoint, m.secondsSinceReset()));
        b.append(String.format(Locale.ROOT, "%-10s %12s %8s %8s %14s %10s %9s %9s %9s %9s %9s %9s %10s%n", "op", "ops",
                "errors", "answers", "bytes", "ops/s", "MiB/s", "mean us", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us"));
        for (OpMetricsView o : OpMetricsView.of(m)) {
            if (o.ops() == 0) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "%-10s %12d %8d %8d %14s %10.0f %9s %9.1f %9.1f %9.1f %9.1f %9.1f %10.1f%n",
                    o.op().key(), o.ops(), o.errors(), o.answers(), o.op().movesData() ? Long.toString(o.bytes()) : "-",
                    o.opsPerSecond(), o.op().movesData() ? String.format(Locale.ROOT, "%.1f", o.bytesPerSecond() / 1048576)
                            : "-", o.meanUs(), o.p50Us(), o.p90Us(), o.p99Us(), o.p999Us(), o.maxUs()));
        }
        Map<String, Number> gauges = m.gauges();
        Number passthroughOpens = gauges.get("passthrough_opens");
        if (passthroughOpens != null && passthroughOpens.longValue() > 0) {
            b.append(String.format(Locale.ROOT, "%nread and write miss the reads and writes of files opened in "
                    + "FUSE passthrough (%d opens): the kernel does them on the backing file itself%n",
                    passthroughOpens.longValue()));
        }
        if (!gauges.isEmpty()) {
            b.append('\n');
            gauges.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%-28s %s%n", k, number(v))));
        }
        return b.toString();
    }

    public static String prometheus(Metrics m) {
        StringBuilder b = new StringBuilder(8192);
        List<OpMetricsView> ops = OpMetricsView.of(m);
        family(b, "xdevfs_operations_total", "counter", "Calls per operation since the last reset.");
        ops.forEach(o -> sample(b, "xdevfs_operations_total", o.op(), null, o.ops()));
        family(b, "xdevfs_errors_total", "counter", "Failures of the store per operation (EIO, ENOSPC, EROFS, EDQUOT).");
        ops.forEach(o -> sample(b, "xdevfs_errors_total", o.op(), null, o.errors()));
        family(b, "xdevfs_answers_total", "counter",
                "Failed calls that are ordinary replies per operation (ENOENT of a lookup, ENODATA, EEXIST, ...).");
        ops.forEach(o -> sample(b, "xdevfs_answers_total", o.op(), null, o.answers()));
        family(b, "xdevfs_bytes_total", "counter", "Bytes read and written.");
        ops.stream().filter(o -> o.op().movesData()).forEach(o -> sample(b, "xdevfs_bytes_total", o.op(), null, o.bytes()));
        family(b, "xdevfs_latency_seconds", "summary", "Latency of each operation since the last reset.");
        for (OpMetricsView o : ops) {
            String[][] q = {{"0.5", "" + o.p50Us()}, {"0.9", "" + o.p90Us()}, {"0.99", "" + o.p99Us()},
                {"0.999", "" + o.p999Us()}, {"1", "" + o.maxUs()}};
            for (String[] quantile : q) {
                sample(b, "xdevfs_latency_seconds", o.op(), quantile[0], Double.parseDouble(quantile[1]) / 1e6);
            }
            sample(b, "xdevfs_latency_seconds_sum", o.op(), null, o.meanUs() * o.ops() / 1e6);
            sample(b, "xdevfs_latency_seconds_count", o.op(), null, o.ops());
        }
        for (Map.Entry<String, Number> g : m.gauges().entrySet()) {
            String name = "xdevfs_" + g.getKey();
            family(b, name, "gauge", g.getKey().replace('_', ' ') + ".");
            b.append(name).append(' ').append(number(g.getValue())).append('\n');
        }
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, Op op, String quantile, Number value) {
        b.append(name).append("{op=\"").append(op.key()).append('"');
        if (quantile != null) {
            b.append(",quantile=\"").append(quantile).append('"');
        }
        b.append("} ").append(value instanceof Double d ? String.format(Locale.ROOT, "%.9f", d) : value).append('\n');
    }

    private StatsFormat() {
    }
}
