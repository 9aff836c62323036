package io.xdevfs.fs.daemon;

import io.xdevfs.fs.Log;
import io.xdevfs.fs.config.MonitoringConfig;
import io.xdevfs.tiers.metrics.Metrics;
import io.xdevfs.tiers.metrics.Op;
import io.xdevfs.tiers.metrics.OpMetricsView;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's periodic work for {@code [monitoring]}: closing the one-second rate interval, a stats
 * line in the log every {@code metrics_interval_sec}, the health check every
 * {@code health_check_interval_sec} (logged when its verdict changes), and the Prometheus endpoint.
 * One daemon thread; nothing here touches the data path.
 */
final class Monitoring implements AutoCloseable {
    private final MonitoringConfig config;
    private final Metrics metrics;
    private final HealthCheck health;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-monitoring");
        t.setDaemon(true);
        return t;
    });
    private MetricsServer server;
    private Boolean healthy;

    Monitoring(MonitoringConfig config, Metrics metrics, HealthCheck health) {
        this.config = config;
        this.metrics = metrics;
        this.health = health;
    }

    /** Starts the endpoint first, so that a port in use refuses the mount instead of failing later. */
    void start() throws IOException {
        if (metrics != null && config.metricsPort() > 0) {
            try {
                server = new MetricsServer(config.metricsPort(), metrics);
            } catch (IOException e) {
                throw new IOException("metrics_port " + config.metricsPort() + ": cannot listen on 127.0.0.1 ("
                        + e.getMessage() + ")", e);
            }
            Log.info("Prometheus metrics on http://127.0.0.1:" + server.port() + "/metrics");
        }
        if (metrics != null) {
            timer.scheduleAtFixedRate(metrics::tick, 1, 1, TimeUnit.SECONDS);
            if (config.intervalSec() > 0) {
                timer.scheduleAtFixedRate(() -> Log.info(line(metrics)), config.intervalSec(), config.intervalSec(),
                        TimeUnit.SECONDS);
            }
        }
        if (config.enableHealthCheck()) {
            timer.scheduleAtFixedRate(this::checkHealth, config.healthIntervalSec(), config.healthIntervalSec(),
                    TimeUnit.SECONDS);
        }
    }

    private void checkHealth() {
        HealthCheck.Verdict v = health.run();
        if (healthy == null || healthy != v.healthy()) {
            if (v.healthy()) {
                Log.info("health: healthy" + (healthy == null ? "" : " again"));
            } else {
                Log.warn("health: unhealthy: " + String.join("; ", v.reasons()));
            }
            healthy = v.healthy();
        }
    }

    /** One log line: read, write and sync rates and latencies, then the gauges. */
    static String line(Metrics m) {
        StringBuilder b = new StringBuilder("stats:");
        for (OpMetricsView o : OpMetricsView.of(m)) {
            if (o.op() == Op.READ || o.op() == Op.WRITE || o.op() == Op.SYNC) {
                b.append(String.format(Locale.ROOT, " %s %d ops (%.0f/s%s) p99 %.0f us;", o.op().key(), o.ops(),
                        o.opsPerSecond(), o.op().movesData()
                                ? String.format(Locale.ROOT, ", %.1f MiB/s", o.bytesPerSecond() / 1048576) : "",
                        o.p99Us()));
            }
        }
        m.gauges().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (server != null) {
            server.close();
        }
    }
}
