package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.tiers.Content;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.xdevfs.fs.session.Opcodes.FSYNC;

/**
 * FSYNC answered before libfuse sees it. The request names its handle, and the handle is all a sync
 * needs; libfuse2's path API would first build the file's path under its node-table lock and cross
 * into Java through jnr-fuse's wrappers. For a WAL writer that syncs after every append, and whose
 * writes go to the backing file without the daemon (passthrough), this request is the daemon's whole
 * share of a commit.
 *
 * <p>With sync threads, a sync may run on one of them and answer the kernel from there while the
 * session goes on reading requests: syncs of concurrent writers then wait for the disk together (one
 * journal commit or intent-log force for several). {@link SyncOffload} decides which syncs go there;
 * without threads (0), the session thread syncs and answers every one in turn.
 */
public final class SyncRequests implements LargeRequestChannel.RequestHook, AutoCloseable {
    /** struct fuse_fsync_in: fh, fsync_flags (bit 0: data only). */
    private static final int FSYNC_IN = 16;
    private static final int FUSE_FSYNC_FDATASYNC = 1;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();
    /** Null: syncs run on the session thread. */
    private final ThreadPoolExecutor threads;
    private final SyncOffload offload = new SyncOffload();
    private final AtomicInteger underWay = new AtomicInteger();
    private final AtomicLong offloaded = new AtomicLong();

    public SyncRequests(Handles handles, int threads) {
        this.handles = handles;
        this.threads = threads == 0 ? null : pool(threads);
    }

    /**
     * Threads made as syncs overlap (a hand-off goes to an idle one, else to a new one, up to
     * {@code size}), each ending after 30 s idle; with all of them busy, a sync runs on the request thread.
     */
    private static ThreadPoolExecutor pool(int size) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, size, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "xdevfs-sync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, FSYNC, FSYNC_IN)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        long fh = memory.getLong(address + LargeRequestChannel.IN_HEADER);
        boolean dataOnly = (memory.getInt(address + LargeRequestChannel.IN_HEADER + 8) & FUSE_FSYNC_FDATASYNC) != 0;
        Content content;
        try {
            // The handle stays open until the sync is answered: the kernel holds the file for the
            // fsync(2) that sent this, so its RELEASE cannot come first.
            content = handles.get(fh);
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("fsync", (Content) null, t));
            return true;
        }
        if (threads == null || !offload(fh)) {
            sync(fd, unique, content, dataOnly);
            return true;
        }
        underWay.incrementAndGet();
        try {
            threads.execute(() -> {
                try {
                    sync(fd, unique, content, dataOnly);
                } finally {
                    underWay.decrementAndGet();
                }
            });
            offloaded.incrementAndGet();
        } catch (RejectedExecutionException allBusyOrClosing) {
            underWay.decrementAndGet();
            sync(fd, unique, content, dataOnly);
        }
        return true;
    }

    /** With --dispatch multi, several request threads decide at once. */
    private boolean offload(long fh) {
        synchronized (offload) {
            return offload.offload(fh, System.nanoTime(), underWay.get());
        }
    }

    /** Syncs answered from a sync thread so far. */
    public long offloaded() {
        return offloaded.get();
    }

    private static void sync(int fd, long unique, Content content, boolean dataOnly) {
        try {
            content.sync(dataOnly);
            KernelReply.send(fd, unique, KernelReply.body(0));
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("fsync", content, t));
        }
    }

    /** Waits for the syncs under way (unmount: before the volume closes their files). */
    @Override
    public void close() {
        if (threads == null) {
            return;
        }
        threads.shutdown();
        try {
            threads.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
