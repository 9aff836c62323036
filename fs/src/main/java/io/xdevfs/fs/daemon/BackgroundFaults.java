package io.xdevfs.fs.daemon;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's own work that failed (a tmpfs backup, a compaction, a migration): counted, and the
 * last one kept, so that health can say so. A backup that keeps failing showed only in the log, and
 * with an intent log health stayed good until the log filled and fsync failed. Thread-safe.
 */
public final class BackgroundFaults {
    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> last = new AtomicReference<>();

    public void record(Exception e) {
        last.set(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        count.incrementAndGet();
    }

    public long count() {
        return count.get();
    }

    /** The message of the latest failure, or null. */
    public String last() {
        return last.get();
    }
}
