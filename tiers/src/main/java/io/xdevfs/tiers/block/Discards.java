package io.xdevfs.tiers.block;

import java.io.Closeable;
import java.util.BitSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * enable_trim: discards freed allocation units on a background thread, contiguous units as one
 * range, and only then lets them be allocated again (a unit handed out before its discard ran could lose
 * its new bytes to it). Units reach it only after the frees are durable, so a crash never brings back a
 * file whose bytes were discarded.
 */
final class Discards implements Closeable {
    private final Device device;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-discard");
        t.setDaemon(true);
        return t;
    });
    final AtomicLong discardedUnits = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    private volatile Geometry geometry;

    Discards(Device device) {
        this.device = device;
    }

    void geometry(Geometry g) {
        this.geometry = g;
    }

    void submit(BitSet units, Consumer<BitSet> reusable) {
        BitSet batch = (BitSet) units.clone();
        thread.execute(() -> {
            Geometry g = geometry;
            for (int start = batch.nextSetBit(0); start >= 0; ) {
                int end = batch.nextClearBit(start);
                try {
                    device.discard(g.unitOffset(start), (long) (end - start) * g.unitSize());
                    discardedUnits.addAndGet(end - start);
                } catch (Exception e) {
                    failures.incrementAndGet(); // the units stay usable: a discard is advice to the device
                }
                start = batch.nextSetBit(end);
            }
            reusable.accept(batch);
        });
    }

    /** Waits for the discards submitted so far. */
    void drain() throws InterruptedException {
        try {
            thread.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
