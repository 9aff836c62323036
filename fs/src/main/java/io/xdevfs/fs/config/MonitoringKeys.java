package io.xdevfs.fs.config;

import java.util.List;
import java.util.Map;

/** Parses {@code [monitoring]} keys as the loader meets them, then checks them together. */
final class MonitoringKeys extends KeyGroup {
    static final List<String> KEYS = List.of("enable_metrics", "metrics_interval_sec", "log_slow_operations",
            "slow_operation_threshold_ms", "enable_health_check", "health_check_interval_sec", "metrics_port");

    private final MonitoringConfig d = MonitoringConfig.defaults();
    private boolean enableMetrics = d.enableMetrics();
    private int interval = d.intervalSec();
    private boolean logSlow = d.logSlowOperations();
    private long slowMs = d.slowThresholdMs();
    private boolean health = d.enableHealthCheck();
    private int healthInterval = d.healthIntervalSec();
    private int port = d.metricsPort();

    MonitoringKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "enable_metrics" -> enableMetrics = Values.bool(value);
            case "metrics_interval_sec" -> interval = Values.integer(value, 0, 86_400);
            case "log_slow_operations" -> logSlow = Values.bool(value);
            case "slow_operation_threshold_ms" -> slowMs = Values.integer(value, 1, 3_600_000);
            case "enable_health_check" -> health = Values.bool(value);
            case "health_check_interval_sec" -> healthInterval = Values.integer(value, 1, 86_400);
            case "metrics_port" -> port = Values.integer(value, 0, 65_535);
            default -> throw new IllegalStateException(key);
        }
    }

    MonitoringConfig config(Map<String, String> where, List<String> problems) {
        if (!enableMetrics) {
            for (String dependent : List.of("metrics_port", "log_slow_operations")) {
                if (where.containsKey(dependent) && (port != 0 || logSlow && dependent.equals("log_slow_operations"))) {
                    problems.add(where.get(dependent) + ": needs enable_metrics = true");
                }
            }
            logSlow = false;
        }
        return new MonitoringConfig(enableMetrics, enableMetrics ? interval : 0, logSlow, slowMs, health,
                healthInterval, port);
    }

    static String render(MonitoringConfig m) {
        return "[monitoring]\n"
                + "enable_metrics = " + m.enableMetrics() + "\n"
                + "metrics_interval_sec = " + m.intervalSec() + "\n"
                + "log_slow_operations = " + m.logSlowOperations() + "\n"
                + "slow_operation_threshold_ms = " + m.slowThresholdMs() + "\n"
                + "enable_health_check = " + m.enableHealthCheck() + "\n"
                + "health_check_interval_sec = " + m.healthIntervalSec() + "\n"
                + "metrics_port = " + m.metricsPort() + "\n";
    }
}
