package io.xdevfs.fs.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which syncs leave the session thread: a lone writer's never, overlapping writers' yes, writers taking turns not for long. */
class SyncOffloadTest {
    private static final long MS = 1_000_000L;

    @Test
    void aLoneWritersSyncsStayOnTheSessionThread() {
        SyncOffload o = new SyncOffload();
        long t = 123_456_789L;
        for (int i = 0; i < 10_000; i++) {
            assertFalse(o.offload(7, t, 0), "sync " + i);
            t += 150_000; // 150 µs apart
        }
    }

    @Test
    void overlappingWritersStayOnTheThreadsWhileTheyOverlap() {
        SyncOffload o = new SyncOffload();
        long t = -5 * MS; // nanoTime may be negative
        assertFalse(o.offload(1, t, 0), "the first sync: nothing to tell yet");
        assertTrue(o.offload(2, t += MS / 10, 0), "another handle: a probe begins");
        for (int i = 0; i < 5_000; i++) { // 4 writers, each sync arriving while another is under way
            assertTrue(o.offload(1 + i % 4, t += MS / 10, 1), "sync " + i);
        }
        // one writer goes on alone: the threads keep its syncs only until the window runs out
        int last = 1 + 4999 % 4;
        t += SyncOffload.KEEP_NANOS + MS;
        assertFalse(o.offload(last, t, 0), "the window ran out: back to the session thread");
        for (int i = 0; i < 1000; i++) {
            assertFalse(o.offload(last, t += MS / 10, 0));
        }
    }

    @Test
    void writersTakingTurnsReturnToTheSessionThreadAndProbeRarely() {
        SyncOffload o = new SyncOffload();
        long t = 0;
        o.offload(1, t, 0);
        assertTrue(o.offload(2, t += MS, 0), "a probe");
        long probeEnd = t + SyncOffload.PROBE_NANOS;
        for (int i = 0; t + MS / 2 < probeEnd; i++) {
            assertTrue(o.offload(1 + i % 2, t += MS / 2, 0), "inside the probe, never overlapping");
        }
        int offloaded = 0;
        int syncs = 0;
        for (long end = t + 10 * SyncOffload.MAX_BACKOFF_NANOS; t < end; syncs++) {
            if (o.offload(1 + syncs % 2, t += MS / 4, 0)) {
                offloaded++;
            }
        }
        assertTrue(offloaded < syncs / 10, offloaded + " of " + syncs + " syncs offloaded for writers that never overlap");
        // and writers that begin to overlap later are found within the longest back-off
        boolean found = false;
        for (long end = t + 2 * SyncOffload.MAX_BACKOFF_NANOS; t < end && !found; syncs++) {
            found = o.offload(1 + syncs % 4, t += MS / 4, 1) && o.offload(1 + ++syncs % 4, t += MS / 4, 1);
        }
        assertTrue(found, "overlapping writers were never moved to the threads");
    }
}
