package io.xdevfs.tiers.metrics;

/** Told about every call slower than the configured threshold (the daemon logs them). */
@FunctionalInterface
public interface SlowOperationListener {
    void slow(Op op, String path, long bytes, long nanos);
}
