package io.xdevfs.tiers.metrics;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Times one call into {@link Metrics} and reports it when it is slow. Shared by the metered volume
 * and its contents.
 */
public final class Metering {
    @FunctionalInterface
    public interface Call<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    public interface VoidCall {
        void run() throws IOException;
    }

    private final Metrics metrics;
    private final LongSupplier clock;
    private final long slowNanos;
    private final SlowOperationListener slow;

    Metering(Metrics metrics, long slowNanos, SlowOperationListener slow) {
        this.metrics = metrics;
        this.clock = metrics.clock();
        this.slowNanos = slowNanos > 0 && slow != null ? slowNanos : Long.MAX_VALUE;
        this.slow = slow;
    }

    <T> T time(Op op, String path, Call<T> call) throws IOException {
        long start = clock.getAsLong();
        try {
            T result = call.run();
            done(op, path, 0, start, null);
            return result;
        } catch (IOException | RuntimeException e) {
            done(op, path, 0, start, e);
            throw e;
        }
    }

    void time(Op op, String path, VoidCall call) throws IOException {
        time(op, path, () -> {
            call.run();
            return null;
        });
    }

    /** A data call: its result is the byte count. */
    int bytes(Op op, String path, Call<Integer> call) throws IOException {
        long start = clock.getAsLong();
        try {
            int n = call.run();
            done(op, path, n, start, null);
            return n;
        } catch (IOException | RuntimeException e) {
            done(op, path, 0, start, e);
            throw e;
        }
    }

    private void done(Op op, String path, long bytes, long start, Throwable failure) {
        long nanos = clock.getAsLong() - start;
        metrics.record(op, nanos, bytes, failure);
        if (nanos >= slowNanos) {
            slow.slow(op, path, bytes, nanos);
        }
    }
}
