package io.xdevfs.fs.session;

import java.util.concurrent.TimeUnit;

/**
 * Whether an FSYNC runs on the session thread or on a sync thread. On the session thread a lone WAL
 * writer's sync costs no thread hand-off (a wake-up on another CPU, 10-20% of its rate here), but while
 * it waits for the disk no other request is read, so concurrent writers' syncs queue one behind
 * another instead of sharing a journal commit or an intent-log force.
 *
 * <p>So syncs stay on the session thread until one comes for another handle than the sync before it
 * (a second writer, or a writer that moved to a new file): then syncs go to the threads for a probe
 * window. A sync that arrives while another is still under way there shows the writers really overlap
 * and keeps them on the threads; a window without overlap (writers that take turns, as PostgreSQL's
 * backends flush its WAL under one lock) returns syncs to the session thread, and no probe starts
 * again for a while: 100 ms, doubling with each probe in a row that finds no overlap, up to 400 ms
 * (then about 5% of such syncs pay the hand-off). Not thread-safe: the caller serialises.
 */
final class SyncOffload {
    static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final long KEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    private long lastHandle = -1;
    /** Syncs go to the threads until then (while offloading). */
    private long offloadUntil;
    private boolean offloading;
    private boolean overlapSeen;
    /** No probe starts before then (while backing off). */
    private long noProbeUntil;
    private boolean backingOff;
    private long backoff = FIRST_BACKOFF_NANOS;

    /**
     * Decides for a sync of {@code handle} arriving at {@code now} (System.nanoTime), while
     * {@code underWay} syncs run on the threads; true: hand it to a thread.
     */
    boolean offload(long handle, long now, int underWay) {
        boolean otherHandle = lastHandle != -1 && handle != lastHandle;
        lastHandle = handle;
        if (offloading && now - offloadUntil < 0) {
            if (underWay > 0) {
                overlapSeen = true;
                offloadUntil = Math.max(offloadUntil, now + KEEP_NANOS);
            }
            return true;
        }
        if (offloading) { // the window ended
            offloading = false;
            if (overlapSeen) {
                backoff = FIRST_BACKOFF_NANOS;
            } else {
                backingOff = true;
                noProbeUntil = now + backoff;
                backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            }
        }
        if (backingOff && now - noProbeUntil >= 0) {
            backingOff = false;
        }
        if (otherHandle && !backingOff) {
            offloading = true;
            overlapSeen = false;
            offloadUntil = now + PROBE_NANOS;
            return true;
        }
        return false;
    }
}
