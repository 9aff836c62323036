package io.xdevfs.fs.fuse;

import io.xdevfs.fs.Log;
import io.xdevfs.fs.daemon.HealthCheck;
import io.xdevfs.fs.daemon.StatsFormat;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.metrics.Metrics;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The daemon's control channel: extended attributes of the mount root that no listing shows
 * (listxattr is the backing directory's), so a WAL directory on the root still looks empty.
 *
 * <pre>
 *   user.xdevfs.stats        JSON of every counter      (getfattr --only-values -n user.xdevfs.stats MNT)
 *   user.xdevfs.stats.text   the same as a table
 *   user.xdevfs.health       {"healthy": ..., "reasons": [...]}
 *   user.xdevfs.reset        set it (any value) to zero the counters; needs write permission on the root
 * </pre>
 *
 * A reader asks for the size first and then the value; the rendering is kept for 100 ms so that
 * both calls see the same bytes. Reads are answered off the request thread
 * ({@link io.xdevfs.fs.session.ControlRequests}): rendering takes a millisecond or more.
 */
public final class ControlXattrs {
    public static final String PREFIX = "user.xdevfs.";
    public static final String STATS = PREFIX + "stats";
    public static final String STATS_TEXT = PREFIX + "stats.text";
    public static final String HEALTH = PREFIX + "health";
    public static final String RESET = PREFIX + "reset";
    /** The names getxattr reads (RESET is only set). */
    public static final java.util.Set<String> READABLE = java.util.Set.of(STATS, STATS_TEXT, HEALTH);
    /** Long enough for a reader's size query and read, short enough that every command sees news. */
    private static final long KEEP_NANOS = 100_000_000L;

    private final Metrics metrics;
    private final String mountPoint;
    private final Supplier<HealthCheck.Verdict> health;
    private String lastName;
    private byte[] lastValue;
    private long lastAt;

    public ControlXattrs(Metrics metrics, String mountPoint, Supplier<HealthCheck.Verdict> health) {
        this.metrics = metrics;
        this.mountPoint = mountPoint;
        this.health = health;
    }

    static boolean handles(String path, String name) {
        return "/".equals(path) && name.startsWith(PREFIX);
    }

    /** The value of a control attribute, or ENODATA (metrics off, or no such name). */
    public synchronized byte[] get(String name) throws PosixException {
        long now = System.nanoTime();
        if (name.equals(lastName) && now - lastAt < KEEP_NANOS) {
            return lastValue;
        }
        String value;
        if (name.equals(HEALTH)) {
            value = health.get().json();
        } else if (metrics != null && name.equals(STATS)) {
            value = StatsFormat.json(metrics);
        } else if (metrics != null && name.equals(STATS_TEXT)) {
            value = StatsFormat.table(metrics, mountPoint);
        } else {
            throw new PosixException(Errno.ENODATA, "getxattr", name);
        }
        lastName = name;
        lastValue = value.getBytes(StandardCharsets.UTF_8);
        lastAt = now;
        return lastValue;
    }

    public synchronized void set(String name) throws PosixException {
        if (!name.equals(RESET) || metrics == null) {
            throw new PosixException(Errno.EPERM, "setxattr", name);
        }
        metrics.reset();
        lastName = null;
        Log.info("statistics reset (" + RESET + ")");
    }
}
