package io.xdevfs.fs.session;

import io.xdevfs.fs.Log;
import io.xdevfs.tiers.Content;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The closes of released passed-through files, put off until the session is idle ({@link ReleaseRequests}
 * says why). When they run: when a request thread is about to read and no request waits
 * ({@link #beforeRead}); once {@link #MAX_PENDING} wait, or the oldest waited {@link #MAX_WAIT_NANOS};
 * before a request that removes a name ({@link #beforeNameRemoval}), so that a file unlinked after its
 * close frees its space at once, as on a disk (a write right after could otherwise meet ENOSPC on a
 * full filesystem); and at unmount ({@link #drain}). A file that may have lost its last name while
 * open is not put off at all: its close frees its space. Thread-safe.
 */
final class PutOffCloses {
    /** Closes that may wait for an idle moment: each holds a backing descriptor until then. */
    static final int MAX_PENDING = 64;
    /** The longest a close waits on a mount that is never idle (a migration waits for it, for one). */
    static final long MAX_WAIT_NANOS = 100_000_000L;

    /** Whether a request waits to be read; throws when that cannot be told. */
    @FunctionalInterface
    interface RequestsWaiting {
        boolean now() throws IOException;
    }

    private final LongSupplier clock;
    private final ConcurrentLinkedQueue<Content> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final LongAdder deferred = new LongAdder();
    /** When the oldest waiting close was put off; approximate under concurrent releases. */
    private volatile long firstPending;

    PutOffCloses(LongSupplier clock) {
        this.clock = clock;
    }

    /** A released file's close: now, or once the session is idle. */
    void release(Content content) {
        if (content.mayHaveNoName()) {
            close(content);
            return;
        }
        pending.add(content);
        deferred.increment();
        int waiting = pendingCount.incrementAndGet();
        if (waiting == 1) {
            firstPending = clock.getAsLong();
        }
        if (waiting > MAX_PENDING) {
            drain();
        }
    }

    /** Before a request thread reads: the closes run unless a request waits and they are not too old. */
    void beforeRead(RequestsWaiting waiting) {
        if (pendingCount.get() == 0) {
            return;
        }
        try {
            if (waiting.now() && clock.getAsLong() - firstPending < MAX_WAIT_NANOS) {
                return; // a request first; the closes wait for the next quiet moment
            }
        } catch (IOException | RuntimeException e) {
            // cannot tell: close now
        }
        drain();
    }

    /** Before a request with this opcode: an UNLINK or RENAME waits for the closes. */
    void beforeNameRemoval(int opcode) {
        if (pendingCount.get() != 0 && (opcode == Opcodes.UNLINK || opcode == Opcodes.RENAME || opcode == Opcodes.RENAME2)) {
            drain();
        }
    }

    /** Closes every put-off file. */
    void drain() {
        Content c;
        while ((c = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            close(c);
        }
    }

    /** Closes waiting now. */
    int waiting() {
        return pendingCount.get();
    }

    /** Closes put off, since the mount. */
    long deferred() {
        return deferred.sum();
    }

    static void close(Content content) {
        try {
            content.close();
        } catch (IOException | RuntimeException e) {
            Log.warn("closing a released file failed: " + e.getMessage());
        }
    }
}
