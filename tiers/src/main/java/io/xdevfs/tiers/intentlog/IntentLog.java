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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A sequential, checksummed log of what a memory tier's syncs need to survive a reboot, with group
 * commit: callers {@link #append} records (in the order their changes happened) and
 * {@link #awaitForced} the last one they need; one writer thread writes everything queued in one
 * write and forces it with one fdatasync, so syncs that arrive while a force runs share the next one.
 * No caller waits longer than its own force plus the one in flight; none waits for a timer.
 *
 * <p>Space: records go into segment files of {@code segmentSize}; the log's bound is {@code bound}
 * bytes of live segments. {@link #cut} starts a new segment when a checkpoint (a consistent copy of
 * the tier) is taken; {@link #trimBefore} recycles the segments that copy made unnecessary.
 *
 * <p>Concurrency: {@link #append}, {@link #cut} and {@link #trimBefore} take this object's monitor
 * briefly (sequence, segment and position are assigned there, so the log's order is the order of
 * appends); the writer thread takes it only to swap the queue and publish what it forced. A failed
 * write or force fails every waiting and later sync with EIO: the log never acknowledges what it did
 * not force.
 */
public final class IntentLog implements Closeable {
    public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;
    /** The largest data record body: bigger dirty ranges are logged as several. */
    public static final int MAX_DATA = 1 << 20;
    /** Appends wait while this much is queued and not yet written. */
    private static final long MAX_QUEUED = 64L << 20;

    /** Writes and forces go through it (tests inject faults there); file management is plain java.nio. */
    private final Posix posix;
    private final LogSegments files;
    private final long bound;
    private final Thread writer;
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
    private long forced;
    private IOException failure;
    private boolean spareWanted;

    private final LongAdder appends = new LongAdder();
    private final LongAdder forces = new LongAdder();
    private final LongAdder bytes = new LongAdder();
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
        var existing = files.segments();
        long next = existing.isEmpty() ? 0 : existing.lastKey() + 1;
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
        this.writer = new Thread(this::writeLoop, "xdevfs-intent-log");
        writer.setDaemon(true);
        writer.start();
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
        synchronized (this) {
            while (queuedBytes > MAX_QUEUED && failure == null && !closing) {
                waitQuietly();
            }
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
            notifyAll();
            return sequence;
        }
    }

    /** The sequence number of the last record appended (-1 before any): what a sync waits for. */
    public synchronized long lastAppended() {
        return nextSequence - 1;
    }

    /** Returns once record {@code sequence} and every one before it is on disk; EIO if the log failed. */
    public void awaitForced(long sequence) throws IOException {
        synchronized (this) {
            while (forced < sequence) {
                if (failure != null) {
                    failIfFailed();
                }
                waitQuietly();
            }
        }
    }

    /** Ends the current segment: what is appended from now on starts a new one, whose number is returned. */
    public synchronized long cut() {
        if (position > 0) {
            segment++;
            position = 0;
        }
        return segment;
    }

    /** The segments below {@code first} are no longer needed (a checkpoint holds what they said). */
    public synchronized void trimBefore(long first) {
        firstLive = Math.max(firstLive, first);
        queue.add(new Trim(first));
        notifyAll();
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

    // ---- the writer thread ----

    private int open = -1;
    private long openNumber = -1;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
    private long bufferAt;
    private boolean unforced;

    private void writeLoop() {
        while (true) {
            ArrayDeque<Object> batch;
            synchronized (this) {
                while (queue.isEmpty() && !closing) {
                    waitQuietly();
                }
                if (queue.isEmpty()) {
                    closeOpen();
                    return;
                }
                batch = queue;
                queue = new ArrayDeque<>();
            }
            long last = -1;
            long written = 0;
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
                synchronized (this) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                    queue.clear();
                    notifyAll();
                }
                closeOpen();
                return;
            }
            bytes.add(written);
            synchronized (this) {
                if (last >= 0) {
                    forced = last;
                }
                queuedBytes -= written;
                notifyAll();
            }
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

    /** Keeps one spare ready so that a segment switch is a rename, not a zero-fill, while the bound allows. */
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
                if (files.spares().isEmpty() && files.segments().size() < segmentsAllowed) {
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
            files.retire(n, 2);
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
     * Writes and forces what is queued, then stops the writer. A failure of the log is not thrown again
     * here: every sync since it was told (EIO), and {@link #failure} still says it.
     */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        try {
            writer.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        preparer.shutdownNow();
    }
}
