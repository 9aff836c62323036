package io.xdevfs.tiers.format;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open inode of {@code storage_type = mmap}: its bytes are copied to and from MAP_SHARED windows
 * of the backing file, mapped on first touch and unmapped when the last handle closes.
 *
 * <p>Touching a mapped page past the end of the backing file raises SIGBUS, so this class never does:
 * every access is clamped to {@link #size}, which only this class changes, and a shrink first lowers
 * {@link #size}, then waits until the accesses counted in {@link #inFlight} are done, then cuts the file.
 * (A counter, not a lock: the JVM may deliver a fault's InternalError asynchronously, and a lock release
 * it interrupts would leave the lock held forever.) Growth allocates the new range with fallocate before
 * any byte is copied, so a full disk is ENOSPC on the write, not SIGBUS on a page fault. If something outside xdevfs cuts the backing file anyway, the JVM turns the fault into
 * an InternalError (in compiled code delivered a moment after the faulting copy, possibly outside this
 * class), which the FUSE layer answers with EIO like any Error; the daemon lives on.
 */
final class MappedFile {
    private record Window(long address, ByteBuffer view, AtomicBoolean dirty) {
    }

    private final Posix posix;
    private final int fd;
    private final int shift;
    private final long windowSize;
    private final ConcurrentHashMap<Long, Window> windows = new ConcurrentHashMap<>();
    /** Reads and writes copying to or from the mapping now. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Serialises size changes. */
    private final Object growth = new Object();
    private volatile long size;

    /** Takes over {@code fd} (open read-write). */
    MappedFile(Posix posix, int fd, long windowSize) throws PosixException {
        this.posix = posix;
        this.fd = fd;
        this.windowSize = windowSize;
        this.shift = Long.numberOfTrailingZeros(windowSize);
        this.size = posix.fstat(fd).size;
    }

    int fd() {
        return fd;
    }

    int read(ByteBuffer dst, long offset) throws IOException {
        inFlight.incrementAndGet();
        try {
            long end = Math.min(size, offset + dst.remaining());
            int total = 0;
            for (long at = offset; at < end; ) {
                int within = (int) (at & (windowSize - 1));
                int n = (int) Math.min(end - at, windowSize - within);
                dst.put(dst.position(), window(at >>> shift).view, within, n);
                dst.position(dst.position() + n);
                at += n;
                total += n;
            }
            return total;
        } catch (InternalError e) {
            throw faulted(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    int write(ByteBuffer src, long offset, boolean append) throws IOException {
        int length = src.remaining();
        long at;
        while (true) { // grow outside the count (a shrink waits for the count while holding the growth lock)
            at = grow(offset, length, append);
            inFlight.incrementAndGet();
            if (at + length <= size) {
                break;
            }
            inFlight.decrementAndGet(); // shrunk in between: grow again
        }
        try {
            for (long end = at + length; at < end; ) {
                int within = (int) (at & (windowSize - 1));
                int n = (int) Math.min(end - at, windowSize - within);
                Window w = window(at >>> shift);
                w.view.put(within, src, src.position(), n);
                w.dirty.set(true);
                src.position(src.position() + n);
                at += n;
            }
            // A store into an already dirty page does not fault, so the kernel would not update mtime.
            posix.futimens(fd, 0, Flags.UTIME_OMIT, 0, Flags.UTIME_NOW);
            return length;
        } catch (InternalError e) {
            throw faulted(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Extends the file to cover the write (allocating the new range first); returns where it goes. */
    private long grow(long offset, int length, boolean append) throws IOException {
        synchronized (growth) {
            long at = append ? size : offset;
            long end = at + length;
            if (end > size) {
                long from = Math.max(at, size);
                try {
                    posix.fallocate(fd, 0, from, end - from);
                } catch (PosixException e) {
                    if (e.errno() != Errno.EOPNOTSUPP) {
                        posix.ftruncate(fd, size); // an allocation that failed halfway may have grown the file
                        throw e;
                    }
                    posix.ftruncate(fd, end);
                }
                size = end;
            }
            return at;
        }
    }

    private Window window(long index) throws PosixException {
        Window w = windows.get(index);
        if (w != null) {
            return w;
        }
        synchronized (windows) {
            w = windows.get(index);
            if (w == null) {
                long address = posix.mapShared(fd, index << shift, windowSize, true);
                w = new Window(address, posix.memoryView(address, (int) windowSize), new AtomicBoolean());
                windows.put(index, w);
            }
            return w;
        }
    }

    private static PosixException faulted(InternalError e) {
        return new PosixException(Errno.EIO, "mapped access faulted (backing file cut outside xdevfs?): "
                + e.getMessage(), null);
    }

    void truncate(long newSize) throws IOException {
        synchronized (growth) {
            if (newSize < size) {
                size = newSize; // new accesses stop here...
                awaitAccessesInFlight(); // ...and the ones that may not have are done
            }
            posix.ftruncate(fd, newSize);
            size = newSize;
        }
    }

    /**
     * Accesses take microseconds; the bound only matters if an asynchronous fault skipped a count's
     * release, and then cutting the file can at worst fault another access into EIO.
     */
    private void awaitAccessesInFlight() {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** fallocate mode 0 or KEEP_SIZE: the file never shrinks. */
    void allocate(int mode, long offset, long length) throws IOException {
        synchronized (growth) {
            posix.fallocate(fd, mode, offset, length);
            size = posix.fstat(fd).size;
        }
    }

    /**
     * fdatasync: msync(MS_SYNC) of every window written since the last sync, which also makes the size
     * durable (it is a ranged fdatasync); fsync, or nothing written through a window: fsync/fdatasync
     * of the file, which writes mapped pages too. Never both: each would flush the device's cache.
     */
    void sync(boolean dataOnly) throws IOException {
        boolean synced = false;
        for (Window w : windows.values()) {
            if (w.dirty.getAndSet(false) && dataOnly) {
                try {
                    posix.syncMapping(w.address, windowSize);
                    synced = true;
                } catch (PosixException e) {
                    w.dirty.set(true);
                    throw e;
                }
            }
        }
        if (!synced) {
            posix.fsync(fd, dataOnly);
        }
    }

    /** Unmaps every window and closes the descriptor; called once, after the last handle. */
    void close() throws IOException {
        PosixException first = null;
        for (Window w : windows.values()) {
            try {
                posix.unmap(w.address, windowSize);
            } catch (PosixException e) {
                first = first == null ? e : first;
            }
        }
        windows.clear();
        posix.close(fd);
        if (first != null) {
            throw first;
        }
    }
}
