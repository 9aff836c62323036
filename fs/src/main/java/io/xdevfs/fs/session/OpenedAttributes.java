package io.xdevfs.fs.session;

import io.xdevfs.posix.Stat;

/**
 * The attributes a request's open read, kept for the rest of that request: libfuse2 answers a CREATE
 * with the new file's attributes (an fgetattr after the create), and deciding the handle's page cache
 * and its passthrough needs its link count and mode, so a create read them three times. Valid only
 * on the thread that handles the request and until it reads the next one; everything later asks the
 * file again. Thread-safe.
 */
public final class OpenedAttributes implements LargeRequestChannel.RequestHook {
    private static final class Slot {
        long fh;
        Stat stat;
    }

    private final ThreadSlots<Slot> slots = new ThreadSlots<>(Slot::new);

    /** A new request on this thread: what the last one opened is stale. */
    @Override
    public boolean answer(int fd, long address, int length) {
        Slot s = slots.get();
        s.fh = 0;
        s.stat = null;
        return false;
    }

    /** This request opened handle {@code fh}, whose attributes were {@code stat}. */
    public void opened(long fh, Stat stat) {
        Slot s = slots.get();
        s.fh = fh;
        s.stat = stat;
    }

    /** The attributes of {@code fh} when this request opened it, or null when it did not. */
    public Stat of(long fh) {
        Slot s = slots.get();
        return s.fh == fh ? s.stat : null;
    }
}
