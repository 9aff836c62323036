package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Content;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static io.xdevfs.fs.session.Opcodes.RELEASE;

/**
 * RELEASE answered before libfuse sees it (libfuse2 would build the file's path under its node-table
 * lock only to hand the handle to Java), and the closing of a passed-through file put off until the
 * session has nothing to read.
 *
 * <p>Why put it off: the kernel sends RELEASE without waiting for it, and a program that creates files
 * one after another sends its next requests (the parent directory's GETATTR, the next LOOKUP) at once;
 * with one request thread they queued behind the close (descriptor cache, open-inode table) and the
 * backing close, 60 µs of the create's round trips here. A file open in passthrough is a plain backing
 * file that the daemon neither buffers nor watches, so when its handle closes nothing is visible to
 * anyone: its bytes are already in the backing file. Every other content (compressed, sparse, logged,
 * block, a hybrid file under observation) closes before the answer, as libfuse did it, so a
 * close-then-open sees everything the close does.
 *
 * <p>The put-off closes run when a request thread is about to read and the kernel has no request
 * queued ({@link #beforeRead}), once {@link #MAX_PENDING} wait or the oldest waited
 * {@link #MAX_WAIT_NANOS}, and at unmount ({@link #drain}). Thread-safe.
 */
public final class ReleaseRequests implements LargeRequestChannel.RequestHook {
    /** struct fuse_release_in: fh, flags, release_flags, lock_owner. */
    private static final int RELEASE_IN = 24;
    /** Closes that may wait for an idle moment: each holds a backing descriptor until then. */
    static final int MAX_PENDING = 64;
    /** The longest a close waits on a mount that is never idle (a migration waits for it, for one). */
    static final long MAX_WAIT_NANOS = 100_000_000L;

    private final Handles handles;
    private final PassthroughOpens passthrough;
    private final Posix posix;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final ConcurrentLinkedQueue<Content> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final LongAdder deferred = new LongAdder();
    /** When the oldest waiting close was put off (System.nanoTime); approximate under concurrent releases. */
    private volatile long firstPending;

    public ReleaseRequests(Handles handles, PassthroughOpens passthrough, Posix posix) {
        this.handles = handles;
        this.passthrough = passthrough;
        this.posix = posix;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, RELEASE, RELEASE_IN)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        long fh = memory.getLong(address + LargeRequestChannel.IN_HEADER);
        boolean passedThrough = passthrough.released(fh);
        // A handle the table does not know was closed at unmount, or never opened: nothing to report
        // to the kernel, which does not look at a RELEASE's answer.
        Content content = handles.remove(fh);
        if (content != null && !passedThrough) {
            close(content); // before the answer, as libfuse did
        }
        KernelReply.send(fd, unique, KernelReply.body(0));
        if (content != null && passedThrough) {
            putOff(content);
        }
        return true;
    }

    private void putOff(Content content) {
        pending.add(content);
        deferred.increment();
        int waiting = pendingCount.incrementAndGet();
        if (waiting == 1) {
            firstPending = System.nanoTime();
        }
        if (waiting > MAX_PENDING) {
            drain();
        }
    }

    /** Runs the put-off closes when the kernel has no request waiting for {@code fd}. */
    @Override
    public void beforeRead(int fd) {
        if (pendingCount.get() == 0) {
            return;
        }
        try {
            if (posix.readable(fd) && System.nanoTime() - firstPending < MAX_WAIT_NANOS) {
                return; // a request first; the closes wait for the next quiet moment
            }
        } catch (PosixException e) {
            // cannot tell: close now
        }
        drain();
    }

    /** Closes every put-off handle (also at unmount, before the volume closes). */
    public void drain() {
        Content c;
        while ((c = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            close(c);
        }
    }

    /** Releases whose close waited for a quiet moment, since the mount. */
    public long deferred() {
        return deferred.sum();
    }

    private static void close(Content content) {
        try {
            content.close();
        } catch (IOException | RuntimeException e) {
            Log.warn("closing a released file failed: " + e.getMessage());
        }
    }
}
