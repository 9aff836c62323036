package io.xdevfs.tiers.intentlog;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A sequential, checksummed log of what a memory tier's syncs need to survive a reboot, with group
 * commit: callers {@link #append} records (in the order their changes happened) and
 * {@link #awaitForced} the last one they need. The first waiter that finds no force running becomes
 * the leader: it writes everything queued in one write and forces it with one fdatasync, on its own
 * thread (no hand-off to a writer thread and back, which costs a lone syncer more than the force);
 * syncs that arrive meanwhile wait, and one of them leads the next force, which covers them all.
 *
 * <p>Gathering: when the last force saw several syncers at once (writers syncing concurrently), its
 * successor waits for as many to be there before it writes, but never longer than the last force took
 * nor {@link #MAX_GATHER_NANOS}: the syncers a force released come back with their next record while
 * the next one would otherwise already be on its way with a single record. A lone syncer never waits.
 *
 * <p>Space: records go into segment files of {@code segmentSize}; the log's bound is {@code bound}
 * bytes of live segments. {@link #cut} starts a new segment when a checkpoint (a consistent copy of
 * the tier) is taken; {@link #trimBefore} recycles the segments that copy made unnecessary.
 *
 * <p>Concurrency: {@link #append}, {@link #cut} and {@link #trimBefore} take this object's monitor
 * briefly (sequence, segment and position are assigned there, so the log's order is the order of
 * appends); a leader takes it to swap the queue and to publish what it forced, and writes outside it
 * (one leader at a time: {@code leading}). A failed write or force fails every waiting and later sync
 * with EIO: the log never acknowledges what it did not force.
 */
public final class IntentLog implements Closeable {
    public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;
    /**
     * The largest data record body: bigger dirty ranges are logged as several. Below half a G1 region
     * of the daemon's small heap (regions of 1 MiB under 2 GiB): a larger body is a humongous object
     * that takes whole regions, and a sync of 300 MiB with 1 MiB records exhausted a 128 MiB heap.
     */
    public static final int MAX_DATA = 256 << 10;
    /** Appends wait while this much is queued and not yet written: what a large sync holds in the heap. */
    private static final long MAX_QUEUED = 16L << 20;
    /** The longest a leader waits for the syncers the last force saw. */
    static final long MAX_GATHER_NANOS = 200_000;

    /** Writes and forces go through it (tests inject faults there); file management is plain java.nio. */
    private final Posix posix;
    private final LogSegments files;
    private final long bound;
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-intent-log-spares");
        t.setDaemon(true);
        return t;
    });

    // Guarded by this: what append assigns, and the queue the writer drains.
    private long nextSequence;
    private long segment;
    private long position;
    private long firstLive;
    private ArrayDeque<Object> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closing;
    private boolean leading;
    private long forced;
    /**
     * Callers in awaitForced now, and the most there were at once since the last leader took the queue:
     * how many syncers the next leader waits for.
     */
    private int syncers;
    private int peakSyncers;
    /** The leader while it waits for syncers (arrivals unpark it), else null. */
    private Thread gatherer;
    private IOException failure;
    /** The failure known at the last {@link #cut}, and the segment it started. */
    private IOException failureAtCut;
    private long cutSegment = -1;
    private boolean spareWanted;

    private final LongAdder appends = new LongAdder();
    private final LongAdder forces = new LongAdder();
    /** Forces whose leader waited for other syncers first. */
    private final LongAdder gathered = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder recoveries = new LongAdder();
    private volatile long lastForceNanos;

    private record Queued(RecordType type, RecordBody body, long segment, long position, long sequence) {
    }

    private record Trim(long before) {
    }

    /**
     * Opens the log in {@code dir} to append after everything there: at the segment after the last one
     * found, with the sequence after {@code lastSequence} (from the replay, -1 if none).
     */
    public static IntentLog open(Posix posix, Path dir, long segmentSize, long bound, long lastSequence)
            throws IOException {
        LogSegments files = new LogSegments(dir, segmentSize);
        files.removePartials();
        // The log's files are written full of zeros once, here (the first mount on a directory pays it),
        // and recycled from then on: zero-filling while syncs run would queue their flushes behind it.
        long prepared = prepared(segmentSize, bound);
        for (long have = files.spares().size() + files.segments().size(); have * segmentSize < prepared; have++) {
            files.prepareSpare();
        }
        var existing = files.segments();
        long next = files.nextUnused();
        long first = existing.isEmpty() ? next : existing.firstKey();
        return new IntentLog(posix, files, bound, next, first, lastSequence + 1);
    }

    private IntentLog(Posix posix, LogSegments files, long bound, long segment, long firstLive, long nextSequence) {
        this.posix = posix;
        this.files = files;
        this.bound = bound;
        this.segment = segment;
        this.firstLive = firstLive;
        this.nextSequence = nextSequence;
        this.forced = nextSequence - 1;
    }

    /** The bytes of segment files kept ready: a quarter of the bound, at least four segments, at most 256 MiB. */
    static long prepared(long segmentSize, long bound) {
        return Math.max(4 * segmentSize, Math.min(bound / 4, 256L << 20));
    }

    /**
     * Whether a checkpoint is due: the live log passed half its bound, or three quarters of the
     * prepared files (past them, segments are zero-filled while syncs run).
     */
    public synchronized boolean checkpointDue() {
        return live() > Math.min(bound / 2, prepared(files.segmentSize(), bound) * 3 / 4);
    }

    public Path directory() {
        return files.dir();
    }

    /** Queues a record; returns its sequence number. Throws EIO once the log has failed. */
    public long append(RecordType type, RecordBody body) throws IOException {
        int size = RecordFormat.size(body);
        if (size > files.segmentSize()) {
            throw new IllegalArgumentException("record of " + size + " bytes exceeds the segment size");
        }
        if (queuedBytes() > MAX_QUEUED) {
            awaitForced(lastAppended()); // appends no one syncs (names only) are written before more queue up
        }
        synchronized (this) {
            failIfFailed();
            if (position + size > files.segmentSize()) {
                segment++;
                position = 0;
            }
            long sequence = nextSequence++;
            queue.add(new Queued(type, body, segment, position, sequence));
            position += size;
            queuedBytes += size;
            appends.increment();
            return sequence;
        }
    }

    /** The sequence number of the last record appended (-1 before any): what a sync waits for. */
    public synchronized long lastAppended() {
        return nextSequence - 1;
    }

    private synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Returns once record {@code sequence} and every one before it is on disk; EIO if the log failed. */
    public void awaitForced(long sequence) throws IOException {
        synchronized (this) {
            syncers++;
            peakSyncers = Math.max(peakSyncers, syncers);
            if (gatherer != null) {
                LockSupport.unpark(gatherer); // a leader gathering syncers counts this one
            }
        }
        try {
            while (true) {
                int gatherFor;
                synchronized (this) {
                    while (forced < sequence && leading) {
                        waitQuietly();
                    }
                    if (forced >= sequence) {
                        return;
                    }
                    if (failure != null) {
                        failIfFailed();
                    }
                    leading = true;
                    gatherFor = peakSyncers > 1 && syncers < peakSyncers ? peakSyncers : 0;
                    gatherer = gatherFor > 0 ? Thread.currentThread() : null;
                }
                if (gatherFor > 0) {
                    gather(gatherFor);
                }
                ArrayDeque<Object> batch;
                synchronized (this) {
                    gatherer = null;
                    batch = queue;
                    queue = new ArrayDeque<>();
                    peakSyncers = syncers;
                }
                lead(batch);
            }
        } finally {
            synchronized (this) {
                syncers--;
            }
        }
    }

    /**
     * As the leader, outside the monitor: waits until {@code count} syncers are here, at most as long as
     * the last force took and {@link #MAX_GATHER_NANOS} (each arrival unparks it; Object.wait would
     * round the wait up to a millisecond).
     */
    private void gather(int count) {
        gathered.increment();
        long deadline = System.nanoTime() + Math.min(MAX_GATHER_NANOS, lastForceNanos);
        while (true) {
            synchronized (this) {
                if (syncers >= count) {
                    return;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    /**
     * Ends the current segment: what is appended from now on starts a new one, whose number is returned.
     * Called by a checkpoint before its copy reads anything: a failure of the log known now is one that copy covers.
     */
    public synchronized long cut() {
        if (position > 0) {
            segment++;
            position = 0;
        }
        failureAtCut = failure;
        cutSegment = segment;
        return segment;
    }

    /**
     * The segments below {@code first} are no longer needed (a checkpoint holds what they said). When
     * the log had failed before that checkpoint's cut, the copy holds everything the failed records
     * would have said, so the log works again from segment {@code first}: a disk that was full or
     * failing for a while does not leave every later fsync failing until the next mount.
     */
    public void trimBefore(long first) {
        synchronized (this) {
            if (failure != null && failure == failureAtCut && first == cutSegment) {
                failure = null;
                forced = nextSequence - 1; // the records the failure dropped: the copy holds what they said
                queuedBytes = 0;
                recoveries.increment();
            }
            firstLive = Math.max(firstLive, first);
            queue.add(new Trim(first)); // in order: the records queued before it are written first
        }
        leadIfIdle();
    }

    /** Times the log worked again after a failure, a checkpoint having covered what the failure lost. */
    public long recoveries() {
        return recoveries.sum();
    }

    /** Writes what is queued now unless a leader is at work (whose next turn will). */
    private void leadIfIdle() {
        ArrayDeque<Object> batch;
        synchronized (this) {
            if (leading || queue.isEmpty() || failure != null) {
                return;
            }
            leading = true;
            batch = queue;
            queue = new ArrayDeque<>();
        }
        lead(batch);
    }

    /** Bytes of live segments (those not trimmed) over the bound. */
    public synchronized double fill() {
        return (double) live() / bound;
    }

    private long live() {
        return (segment - firstLive) * files.segmentSize() + position;
    }

    /** Whether {@code more} bytes of records fit under the bound now. */
    public synchronized boolean hasRoom(long more) {
        long records = more + (more / MAX_DATA + 1) * (RecordFormat.HEADER + 64L);
        return live() + records + files.segmentSize() <= bound;
    }

    /** Why the log cannot take records, or null. */
    public synchronized IOException failure() {
        return failure;
    }

    public long appends() {
        return appends.sum();
    }

    public long forces() {
        return forces.sum();
    }

    /** Forces whose leader first waited for the syncers the force before saw. */
    public long gatheredForces() {
        return gathered.sum();
    }

    public long bytesWritten() {
        return bytes.sum();
    }

    public long lastForceNanos() {
        return lastForceNanos;
    }

    private void failIfFailed() throws PosixException {
        if (failure != null) {
            throw new PosixException(Errno.EIO, "intent log in " + files.dir() + " failed: " + failure.getMessage(),
                    null);
        }
        if (closing) {
            throw new PosixException(Errno.EIO, "intent log closed", null);
        }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the intent log", e);
        }
    }

    // ---- the leader's work: one at a time, outside the monitor ----

    private int open = -1;
    private long openNumber = -1;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
    private long bufferAt;
    private boolean unforced;

    /** Writes and forces {@code batch}, then publishes how far the log is forced (or that it failed). */
    private void lead(ArrayDeque<Object> batch) {
        long last = -1;
        long written = 0;
        IOException failed = null;
        try {
            for (Object item : batch) {
                if (item instanceof Queued q) {
                    write(q);
                    last = q.sequence;
                    written += RecordFormat.size(q.body);
                } else if (item instanceof Trim t) {
                    flush();
                    retireBefore(t.before);
                }
            }
            flush();
            if (unforced) {
                long start = System.nanoTime();
                posix.fsync(open, true);
                lastForceNanos = System.nanoTime() - start;
                forces.increment();
                unforced = false;
            }
        } catch (IOException | RuntimeException e) {
            failed = e instanceof IOException io ? io : new IOException(e);
            buffer.clear();
            unforced = false; // its descriptor goes: a leader after a recovery starts with the next segment
            closeOpen();
        }
        bytes.add(written);
        synchronized (this) {
            if (failed != null) {
                failure = failed;
                queue.clear();
            } else if (last >= 0) {
                forced = last;
            }
            queuedBytes -= written;
            leading = false;
            notifyAll();
        }
    }

    private void write(Queued q) throws IOException {
        if (q.segment != openNumber) {
            flush();
            if (unforced) {
                posix.fsync(open, true); // a segment is whole on disk before the next one is written
                unforced = false;
            }
            switchTo(q.segment);
        }
        int size = RecordFormat.size(q.body);
        if (buffer.position() > 0 && (bufferAt + buffer.position() != q.position || buffer.remaining() < size)) {
            flush();
        }
        if (buffer.position() == 0) {
            bufferAt = q.position;
        }
        if (size > buffer.capacity()) {
            ByteBuffer big = ByteBuffer.allocateDirect(size);
            RecordFormat.encode(big, q.type, q.segment, q.sequence, q.body);
            writeFully(big.flip(), q.position);
            return;
        }
        RecordFormat.encode(buffer, q.type, q.segment, q.sequence, q.body);
    }

    private void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        writeFully(buffer, bufferAt);
        buffer.clear();
    }

    private void writeFully(ByteBuffer b, long at) throws IOException {
        unforced = true;
        posix.pwrite(open, b, at); // writes it all or throws

    }

    private void switchTo(long number) throws IOException {
        closeOpen();
        Path p = files.claim(number);
        open = posix.openat(Flags.AT_FDCWD, Names.of(p), Flags.O_WRONLY | Flags.O_CLOEXEC, 0);
        openNumber = number;
        wantSpare();
    }

    /** Spares kept ready ahead of the writer once the prepared ones are used up (checkpoints fell behind). */
    private static final int SPARES_AHEAD = 1;

    /** Tops the spares up to {@link #SPARES_AHEAD} in the background, so that a segment switch is a rename. */
    private void wantSpare() {
        synchronized (this) {
            if (spareWanted) {
                return;
            }
            spareWanted = true;
        }
        preparer.execute(() -> {
            try {
                int segmentsAllowed = (int) Math.max(2, bound / files.segmentSize());
                while (files.spares().size() < SPARES_AHEAD
                        && files.spares().size() + files.segments().size() < segmentsAllowed + 1) {
                    files.prepareSpare();
                }
            } catch (IOException e) {
                // a segment switch will prepare one itself, and report a real failure
            } finally {
                synchronized (this) {
                    spareWanted = false;
                }
            }
        });
    }

    /** Every record queued before the trim is written: the open segment goes too if it is below {@code first}. */
    private void retireBefore(long first) throws IOException {
        if (open >= 0 && openNumber < first) {
            if (unforced) {
                posix.fsync(open, true);
                unforced = false;
            }
            closeOpen();
        }
        for (long n : files.segments().headMap(first, false).keySet()) {
            files.retire(n, (int) Math.max(2, prepared(files.segmentSize(), bound) / files.segmentSize()));
        }
    }

    private void closeOpen() {
        if (open >= 0) {
            try {
                posix.close(open);
            } catch (IOException ignored) {
                // nothing left to force: every record was forced before its sync returned
            }
            open = -1;
            openNumber = -1;
        }
    }

    /**
     * Writes and forces what is queued, then closes the segment. A failure of the log is not thrown
     * again here: every sync since it was told (EIO), and {@link #failure} still says it.
     */
    @Override
    public void close() {
        try {
            awaitForced(lastAppended());
        } catch (IOException alreadyReported) {
            // see above
        }
        leadIfIdle(); // trims queued after the last record
        synchronized (this) {
            closing = true;
            while (leading) {
                waitQuietly();
            }
            closeOpen();
        }
        preparer.shutdownNow();
    }
}
