package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Descriptors of recently resolved parent directories (O_PATH, opened beneath the base directory
 * without following symlinks), so that a call on a nested path costs no openat2 and close of its
 * parent: on this kind of machine a system call costs about 1.3 µs, and a create's four requests made
 * about 30 of them.
 *
 * <p>A descriptor follows its directory, not its name. So every rename and rmdir through the volume
 * forgets the names at and below the path it changes ({@link #forget}) before it returns, and an entry
 * lives at most {@link #TTL_NANOS}: a directory renamed behind the mount's back (in the base directory)
 * is still reached under its old name for up to that long, as the kernel's attribute timeout lets a
 * stat show old attributes. The openat2 that opened it stays the safety check: what a descriptor names
 * was beneath the base directory, through no symlink, when it was opened.
 *
 * <p>Entries are counted while in use, so one forgotten or evicted under a caller is closed by its
 * last user. Thread-safe.
 */
final class ParentDirectories implements AutoCloseable {
    /** Bounds the descriptors held: a WAL directory has one parent; a tree walk moves on. */
    static final int MAX_ENTRIES = 64;
    static final long TTL_NANOS = 1_000_000_000L;

    private final Posix posix;
    private final int baseFd;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    ParentDirectories(Posix posix, int baseFd, LongSupplier clock) {
        this.posix = posix;
        this.baseFd = baseFd;
        this.clock = clock;
    }

    /** An open parent directory; {@link #release} it when the call is done. */
    static final class Entry {
        final int fd;
        private final long expires;
        private int users;
        private boolean dropped;

        private Entry(int fd, long expires) {
            this.fd = fd;
            this.expires = expires;
        }
    }

    /** The directory at {@code relative} (no leading slash, at least one component), counted as in use. */
    synchronized Entry acquire(String relative) throws PosixException {
        long now = clock.getAsLong();
        Entry e = entries.get(relative);
        if (e != null && now - e.expires >= 0) {
            drop(entries.remove(relative));
            e = null;
        }
        if (e == null) {
            int fd = posix.openBeneath(baseFd, relative, Flags.O_PATH | Flags.O_DIRECTORY);
            e = new Entry(fd, now + TTL_NANOS);
            if (!closed) {
                entries.put(relative, e);
                evictBeyondBound();
            } else {
                e.dropped = true; // serves this call only
            }
        }
        e.users++;
        return e;
    }

    synchronized void release(Entry e) throws PosixException {
        if (--e.users == 0 && e.dropped) {
            posix.close(e.fd);
        }
    }

    /**
     * Forgets the directory at {@code path} (a volume path) and every one below it: called when a
     * rename or rmdir changes what those names mean.
     */
    synchronized void forget(String path) throws PosixException {
        if (entries.isEmpty() || path.length() <= 1) {
            return;
        }
        String relative = path.substring(1);
        List<Entry> gone = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> next = it.next();
            String key = next.getKey();
            if (key.startsWith(relative) && (key.length() == relative.length() || key.charAt(relative.length()) == '/')) {
                gone.add(next.getValue());
                it.remove();
            }
        }
        for (Entry e : gone) {
            drop(e);
        }
    }

    private void evictBeyondBound() throws PosixException {
        Iterator<Entry> eldest = entries.values().iterator();
        while (entries.size() > MAX_ENTRIES) {
            Entry e = eldest.next();
            eldest.remove();
            drop(e);
        }
    }

    private void drop(Entry e) throws PosixException {
        e.dropped = true;
        if (e.users == 0) {
            posix.close(e.fd);
        }
    }

    /** Descriptors held now (for tests). */
    synchronized int held() {
        return entries.size();
    }

    @Override
    public synchronized void close() throws PosixException {
        closed = true;
        for (Entry e : entries.values()) {
            drop(e);
        }
        entries.clear();
    }
}
