package io.xdevfs.tiers.directory;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volume's open files: one ref-counted {@link Entry} per file id ({@link FileIds}) however many
 * handles, hard links and background jobs hold it. An entry carries what every handle of the file
 * shares: the file's lock, its format's shared state (a compressed file's chunk index, an mmap'd
 * file's windows), the backing layer's record of its descriptors ({@link DescriptorCache}) and the
 * gate that work needing the file quiet (a migration between tiers) closes.
 *
 * <h2>Concurrency and lock order</h2>
 * <ul>
 *   <li>The table: {@link ConcurrentHashMap#compute} per id, so opening or releasing one file never
 *       waits for another's. Only the reference count changes inside a compute, and the release of
 *       the last reference, which hands the format's state to the closer.</li>
 *   <li>The format's state is made once, by the first handle that asks ({@link Entry#stateOr}), under
 *       the entry's monitor: other opens of the same file wait for it (a compressed file's recovery
 *       scan), opens of other files do not.</li>
 *   <li>{@link Entry#gate}: every call through a handle holds it shared ({@link HeldContent}); work
 *       that must see no call in flight holds it alone.</li>
 *   <li>{@link Entry#lock}: the file's own read-write lock, taken by formats inside the gate: shared by
 *       calls that cannot disturb each other, alone by read-modify-write and size changes.</li>
 *   <li>Order: gate, then the file's lock, then whatever a format's state locks inside. No thread
 *       holds a file's lock while taking another file's, or while the table computes.</li>
 * </ul>
 */
public final class OpenFiles {

    /** One open file. */
    public static final class Entry {
        public final long id;
        public final ReadWriteLock lock = new ReentrantReadWriteLock();
        public final ReadWriteLock gate = new ReentrantReadWriteLock();
        private final OpenFiles table;
        /** Guarded by the table's compute of this id. */
        private int refs;
        /** The backing layer's record of the file (its descriptors in the {@link DescriptorCache}); guarded by that layer. */
        Object backing;
        /** Set once, under this entry's monitor. */
        private volatile Object state;

        private Entry(OpenFiles table, long id) {
            this.table = table;
            this.id = id;
        }

        /** The format's shared state; null until a handle made it. */
        @SuppressWarnings("unchecked")
        public <T> T state() {
            return (T) state;
        }

        /** The format's shared state, made by {@code make} if no handle has made it yet. */
        @SuppressWarnings("unchecked")
        public <T> T stateOr(Maker<T> make) throws IOException {
            Object s = state;
            if (s == null) {
                synchronized (this) {
                    s = state;
                    if (s == null) {
                        s = make.make();
                        state = s;
                    }
                }
            }
            return (T) s;
        }

        /** Another reference, for work that outlives the caller's (which it must hold now). */
        public void retain() {
            table.acquire(id);
        }

        /** Gives up one reference; the last one hands the state to the table's closer. */
        public void release() throws IOException {
            table.release(this);
        }
    }

    @FunctionalInterface
    public interface Maker<T> {
        T make() throws IOException;
    }

    @FunctionalInterface
    public interface Closer {
        void close(Object state) throws IOException;
    }

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final Closer closer;

    /** {@code closer} ends a format's state when the last reference to its file goes. */
    public OpenFiles(Closer closer) {
        this.closer = closer;
    }

    /** Takes a reference to the entry of {@code id}. */
    public Entry acquire(long id) {
        return entries.compute(id, (k, e) -> {
            Entry entry = e != null ? e : new Entry(this, k);
            entry.refs++;
            return entry;
        });
    }

    /** The entry of {@code id} if the file is open (for a look at its state), else null. */
    public Entry peek(long id) {
        return entries.get(id);
    }

    private void release(Entry entry) throws IOException {
        IOException[] failure = new IOException[1];
        entries.computeIfPresent(entry.id, (k, e) -> {
            if (--e.refs > 0) {
                return e;
            }
            if (e.state != null) {
                try {
                    closer.close(e.state);
                } catch (IOException x) {
                    failure[0] = x;
                }
            }
            return null;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Files open now. */
    public int size() {
        return entries.size();
    }
}
