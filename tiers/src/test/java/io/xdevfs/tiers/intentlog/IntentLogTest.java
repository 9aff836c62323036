package io.xdevfs.tiers.intentlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log's files: order across segments, torn tails, trimming and recycling, group commit. */
class IntentLogTest {
    private static final long SEGMENT = 4L << 20;

    @TempDir
    Path dir;

    /** Record n, padded with random bytes (zeros would read the same after a tear that zeroes them). */
    private static RecordBody named(long n, int padding) {
        byte[] pad = new byte[padding];
        new java.util.Random(n).nextBytes(pad);
        return new RecordBody().putLong(n).putBytes(ByteBuffer.wrap(pad));
    }

    private List<Long> readFrom(long segment) throws IOException {
        List<Long> seen = new ArrayList<>();
        LogReader.read(dir, segment, r -> seen.add(r.reader().getLong()));
        return seen;
    }

    private static List<Long> range(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void recordsReadBackInOrderAcrossSegments() throws IOException {
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            long last = -1;
            for (long i = 0; i < 200; i++) {
                last = log.append(RecordType.UNLINK, named(i, 100_000)); // ~20 MB: five segments
            }
            log.awaitForced(last);
        }
        assertTrue(new LogSegments(dir, SEGMENT).segments().size() >= 5);
        assertEquals(range(0, 200), readFrom(0));
    }

    @Test
    void aTornTailEndsTheLogAtTheLastWholeRecord() throws IOException {
        long[] ends = new long[11];
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            for (int i = 0; i < 10; i++) {
                log.awaitForced(log.append(RecordType.UNLINK, named(i, 1000 + i)));
            }
        }
        Path segment = new LogSegments(dir, SEGMENT).segment(0);
        ends[0] = 0;
        for (int i = 0; i < 10; i++) {
            ends[i + 1] = ends[i] + RecordFormat.HEADER + 8 + 4 + 1000 + i;
        }
        byte[] whole = Files.readAllBytes(segment);
        for (long cut = ends[8]; cut < ends[10]; cut += 97) {
            // the bytes from the cut on never reached the disk: zeros, or the start of a stale spare
            byte[] torn = whole.clone();
            java.util.Arrays.fill(torn, (int) cut, (int) ends[10], (byte) 0);
            Files.write(segment, torn);
            int whole_records = cut >= ends[9] ? 9 : 8;
            assertEquals(range(0, whole_records), readFrom(0), "torn at " + cut);
        }
    }

    @Test
    void aCutStartsANewSegmentAndTrimmingRecyclesTheOldOnes() throws IOException {
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            for (long i = 0; i < 5; i++) {
                log.append(RecordType.UNLINK, named(i, 10));
            }
            long start = log.cut();
            assertEquals(1, start);
            long last = 0;
            for (long i = 5; i < 8; i++) {
                last = log.append(RecordType.UNLINK, named(i, 10));
            }
            log.awaitForced(last);
            assertEquals(range(0, 8), readFrom(0), "until the trim everything reads");
            log.trimBefore(start);
            log.awaitForced(log.append(RecordType.UNLINK, named(8, 10)));
            assertEquals(range(5, 9), readFrom(start));
            assertEquals(List.of(1L), List.copyOf(new LogSegments(dir, SEGMENT).segments().keySet()));
            assertTrue(log.fill() < 0.1, "trimmed segments no longer count: " + log.fill());
        }
    }

    @Test
    void aRecycledSegmentsOldRecordsAreNeverRead() throws IOException {
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            long last = 0;
            for (long i = 0; i < 50; i++) {
                last = log.append(RecordType.UNLINK, named(i, 1000));
            }
            log.awaitForced(last);
            long start = log.cut();
            log.trimBefore(start); // segment 0 becomes a spare with 50 records in it
            log.awaitForced(log.append(RecordType.UNLINK, named(1000, 10)));
            start = log.cut();
            log.trimBefore(start);
            log.awaitForced(log.append(RecordType.UNLINK, named(2000, 10))); // into a recycled file
        }
        assertEquals(List.of(2L), List.copyOf(new LogSegments(dir, SEGMENT).segments().keySet()));
        assertEquals(List.of(2000L), readFrom(2));
    }

    /**
     * After every segment was trimmed and the log reopened (its sequence starting over), a recycled
     * file's old records, same sizes, same sequence numbers, are still never read: the new segment
     * has a number never used before.
     */
    @Test
    void segmentNumbersAreNeverReusedAcrossReopens() throws IOException {
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            long last = 0;
            for (long i = 0; i < 50; i++) {
                last = log.append(RecordType.UNLINK, named(1000 + i, 1000));
            }
            log.awaitForced(last);
            log.trimBefore(log.cut());
        }
        assertTrue(new LogSegments(dir, SEGMENT).segments().isEmpty(), "everything was trimmed");
        // Leave only the recycled file, as the first spare: the next segment is made from it.
        Path stale = null;
        for (Path spare : new LogSegments(dir, SEGMENT).spares()) {
            if (Files.readAllBytes(spare)[0] != 0) {
                stale = spare;
            } else {
                Files.delete(spare);
            }
        }
        Files.move(stale, dir.resolve("spare-0.xil"));
        long first;
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1)) {
            long last = 0;
            for (long i = 0; i < 10; i++) {
                last = log.append(RecordType.UNLINK, named(i, 1000));
            }
            log.awaitForced(last);
            first = new LogSegments(dir, SEGMENT).segments().firstKey();
        }
        assertEquals(range(0, 10), readFrom(first), "only the new records");
        assertTrue(first > 0, "a new number: " + first);
    }

    @Test
    void concurrentSyncsShareForces() throws Exception {
        int threads = 8;
        int each = 200;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 256L << 20, -1)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1000L;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < each; i++) {
                            long seq = log.append(RecordType.UNLINK, named(base + i, 8192));
                            log.awaitForced(seq);
                            // acknowledged: the record is in the file, whatever happens next
                            assertTrue(durable(seq), "acknowledged record " + seq + " not in the file");
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                all.add(th);
            }
            go.countDown();
            for (Thread th : all) {
                th.join();
            }
            assertNull(failure.get());
            assertEquals(threads * each, log.appends());
            assertTrue(log.forces() < log.appends(), "records per force > 1: " + log.appends() + " records, "
                    + log.forces() + " forces");
        }
        assertEquals(threads * each, readFrom(0).size());
    }

    /** A lone syncer never waits for others; concurrent ones gather, and stop waiting once the others are gone. */
    @Test
    void aLeaderGathersTheSyncersTheLastForceSawAndOnlyThose() throws Exception {
        try (IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 256L << 20, -1)) {
            for (int i = 0; i < 300; i++) {
                log.awaitForced(log.append(RecordType.UNLINK, named(i, 8192)));
            }
            assertEquals(0, log.gatheredForces(), "a lone syncer waited for others");
            int threads = 4;
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = (t + 1) * 1000L;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 300; i++) {
                            log.awaitForced(log.append(RecordType.UNLINK, named(base + i, 8192)));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                all.add(th);
            }
            long forcesBefore = log.forces();
            go.countDown();
            for (Thread th : all) {
                th.join();
            }
            assertNull(failure.get());
            assertTrue(log.gatheredForces() > 0, "four concurrent syncers never gathered");
            double perForce = 1200.0 / (log.forces() - forcesBefore);
            assertTrue(perForce > 1.5, perForce + " records per force with four syncers");
            // alone again: at most one force waits in vain for the others (and never longer than a force)
            long gatheredThen = log.gatheredForces();
            for (int i = 0; i < 300; i++) {
                log.awaitForced(log.append(RecordType.UNLINK, named(10_000 + i, 8192)));
            }
            assertTrue(log.gatheredForces() - gatheredThen <= 1, (log.gatheredForces() - gatheredThen) + " lone forces waited");
        }
    }

    /** Whether a record with this sequence is in a segment file now (read through the page cache). */
    private boolean durable(long sequence) throws IOException {
        boolean[] found = {false};
        LogReader.read(dir, 0, r -> found[0] |= r.sequence() == sequence);
        return found[0];
    }

    /** chattr +i: even root cannot write the file (how a test makes a disk refuse writes without filling it). */
    private static void immutable(Path p, boolean on) throws Exception {
        Process pr = new ProcessBuilder("chattr", on ? "+i" : "-i", p.toString()).inheritIO().start();
        assertEquals(0, pr.waitFor(), "chattr on " + p);
    }

    @Test
    void aFailedWriteFailsEverySyncFromThenOn() throws Exception {
        IntentLog log = IntentLog.open(io.xdevfs.posix.Posix.get(), dir, SEGMENT, 64L << 20, -1);
        log.awaitForced(log.append(RecordType.UNLINK, named(1, 10)));
        Path segment = new LogSegments(dir, SEGMENT).segment(0);
        immutable(segment, true);
        try {
            long seq = log.append(RecordType.UNLINK, named(2, 10));
            io.xdevfs.posix.PosixException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.xdevfs.posix.PosixException.class, () -> log.awaitForced(seq));
            assertEquals(io.xdevfs.posix.Errno.EIO, e.errno());
            assertTrue(log.failure() != null, "the log says it failed");
            e = org.junit.jupiter.api.Assertions.assertThrows(io.xdevfs.posix.PosixException.class,
                    () -> log.append(RecordType.UNLINK, named(3, 10)));
            assertEquals(io.xdevfs.posix.Errno.EIO, e.errno(), "and takes nothing more");
        } finally {
            immutable(segment, false);
            log.close();
        }
        assertEquals(List.of(1L), readFrom(0), "only what was acknowledged is in the log");
    }
}
