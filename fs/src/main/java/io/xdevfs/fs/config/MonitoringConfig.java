package io.xdevfs.fs.config;

/**
 * The {@code [monitoring]} section.
 *
 * @param enableMetrics      count and time every operation ({@code xdevfs stats} needs it)
 * @param intervalSec        a stats line in the log every this many seconds; 0 for none
 * @param logSlowOperations  log every operation slower than the threshold (path, op, size, latency)
 * @param slowThresholdMs    what "slow" means
 * @param enableHealthCheck  run the health check periodically and log when its verdict changes
 * @param healthIntervalSec  how often
 * @param metricsPort        serve Prometheus text on 127.0.0.1:port/metrics; 0 for off
 */
public record MonitoringConfig(boolean enableMetrics, int intervalSec, boolean logSlowOperations, long slowThresholdMs,
                        boolean enableHealthCheck, int healthIntervalSec, int metricsPort) {

    /** The seed's example values; no Prometheus port unless asked for. */
    public static MonitoringConfig defaults() {
        return new MonitoringConfig(true, 60, true, 100, true, 30, 0);
    }
}
