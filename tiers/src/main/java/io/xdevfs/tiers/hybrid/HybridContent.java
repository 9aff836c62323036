package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

/**
 * A handle of a hybrid file: its stub in the namespace (attributes, fchmod/fchown) and its object in
 * whichever tier holds it. Each call holds the file's gate shared; when a move has switched the file
 * to the other tier since the last call, the handle opens the object there first, so open handles,
 * readers and writers alike, keep working across moves.
 */
final class HybridContent implements Content {
    private static final int OBJECT_FLAGS = Flags.O_ACCMODE | Flags.O_APPEND | Flags.O_TRUNC | Flags.O_SYNC
            | Flags.O_DSYNC | Flags.O_NOATIME;

    private final HybridVolume volume;
    private final OpenFiles.Entry entry;
    private final FileState state;
    private final Lock gate;
    private final Content stub;
    private final int flags;
    private final boolean writes;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The object as of move {@link #dataGeneration}; replaced (under this handle's monitor) after a move. */
    private volatile Content data;
    private volatile long dataGeneration;

    HybridContent(HybridVolume volume, OpenFiles.Entry entry, Content stub, Content data, int flags) {
        this.volume = volume;
        this.entry = entry;
        this.state = entry.state();
        this.gate = entry.gate.readLock();
        this.stub = stub;
        this.data = data;
        this.dataGeneration = state.generation;
        this.flags = flags;
        this.writes = (flags & Flags.O_ACCMODE) != Flags.O_RDONLY;
        state.opened(this);
    }

    /**
     * Called by a move that has just switched the file, holding its gate alone (no call of this handle
     * is under way): the old object's descriptor is closed now, and the next call opens the new one.
     * Left to the next call, a handle that stays idle (a reader of a sealed segment) kept the
     * descriptor of an object that loses its name once the move frees it, which the descriptor cache
     * cannot park: with a low open-file limit, moves of many such files failed with ENFILE.
     */
    synchronized void dropStale() {
        Content old = data;
        if (old != null && dataGeneration != state.generation) {
            data = null;
            try {
                old.close();
            } catch (IOException e) {
                // the descriptor is released either way (close(2) frees it even when it reports an error)
            }
        }
    }

    /** The caller's open flags that the object is opened with: creation is the stub's business. */
    static int objectFlags(int flags) {
        return flags & OBJECT_FLAGS;
    }

    /**
     * Enters a call: the gate shared, and the object of the tier that holds the file now ({@code state.tier},
     * which no move changes while the call holds the gate).
     */
    private Content enter() throws IOException {
        gate.lock();
        try {
            if (state.generation == dataGeneration) {
                return data;
            }
            synchronized (this) {
                if (state.generation != dataGeneration) {
                    Content moved = volume.tier(state.tier).open(ObjectNames.of(state.id),
                            objectFlags(flags & ~Flags.O_TRUNC));
                    Content old = data;
                    data = moved;
                    dataGeneration = state.generation;
                    if (old != null) {
                        old.close();
                    }
                }
                return data;
            }
        } catch (IOException | RuntimeException e) {
            gate.unlock();
            throw e;
        }
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        Content c = enter();
        try {
            return c.read(dst, offset);
        } finally {
            gate.unlock();
            volume.stats.foreground();
        }
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        int start = src.position();
        int length = src.remaining();
        int done = 0;
        Content c = enter();
        try {
            done = c.write(src, offset);
            // A short write means the tier filled up partway: the rest is asked for at once, so that a full
            // hot tier shows as the ENOSPC that moves the file, never as a short write to the caller.
            while (done < length) {
                done += c.write(src.slice(start + done, length - done), offset + done);
            }
            src.position(start + length);
            return length;
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOSPC || state.tier != Tier.HOT || state.passedThrough()) {
                // passed through, the tiers share a filesystem (HybridVolume#passthrough): the cold one is full too
                if (done > 0) {
                    src.position(start + done);
                    return done; // a short write, as write(2) gives it; the error comes with the next
                }
                throw e;
            }
        } finally {
            state.changes.incrementAndGet();
            gate.unlock();
            volume.stats.foreground();
        }
        int rest;
        try {
            rest = writeAfterHotTierFull(src.slice(start + done, length - done), offset + done);
        } catch (IOException e) {
            if (done == 0) {
                throw e;
            }
            rest = 0; // the cold tier is full too: a short write of what the hot tier took
        }
        src.position(start + done + rest);
        return done + rest;
    }

    /**
     * The hot tier is full: this file moves to the cold tier now and the write goes there, so a full
     * hot tier never fails a write the cold tier has room for. The writer waits for the copy.
     */
    private int writeAfterHotTierFull(ByteBuffer src, long offset) throws IOException {
        long started = System.nanoTime();
        volume.mover().moveNow(state.id, Tier.COLD, "hot tier full");
        Content c = enter();
        try {
            if ((flags & Flags.O_APPEND) == 0) {
                return c.write(src, offset);
            }
            // Where the kernel put the write (its offset is the size before it) past the bytes the hot tier
            // took, not at the end of the copy: a failed write may have left more there than it reported.
            try (Content at = volume.tier(state.tier).open(ObjectNames.of(state.id), Flags.O_WRONLY)) {
                return at.write(src, offset);
            }
        } finally {
            state.changes.incrementAndGet();
            gate.unlock();
            volume.stats.fullHotWrite(System.nanoTime() - started);
        }
    }

    /** A rare call on the object (the data path above spells enter and exit out: no lambda per read or write). */
    @FunctionalInterface
    private interface Call<T> {
        T on(Content object) throws IOException;
    }

    /** Runs a rare call on the object holding the gate; {@code changes}: it changes what a move copies. */
    private <T> T held(boolean changes, Call<T> call) throws IOException {
        Content c = enter();
        try {
            return call.on(c);
        } finally {
            if (changes) {
                state.changes.incrementAndGet();
            }
            gate.unlock();
        }
    }

    /**
     * A writer of a hot file, where the tiers share a filesystem ({@link HybridVolume#passthrough}),
     * gets the hot object's descriptor: the kernel then writes it directly, as it would on the hot type
     * alone, and the file stays put until its last handle closes ({@link FileState#passThrough}).
     * Readers do not (a sealed segment being read is what moves), nor do cold files (their reads count
     * toward promotion).
     */
    @Override
    public int passThrough(PassthroughRegistrar registrar) throws IOException {
        if (!writes || !volume.passthrough()) {
            return -1;
        }
        Content c = enter();
        try {
            if (state.tier != Tier.HOT) {
                return -1;
            }
            int registered = c.passThrough(registrar);
            if (registered >= 0) {
                state.passThrough();
                state.changes.incrementAndGet(); // a move copying now aborts at its switch
            }
            return registered;
        } finally {
            gate.unlock();
        }
    }

    @Override
    public boolean mayHaveNoName() {
        return state.unlinked;
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        if (state.passedThrough()) {
            volume.stats.foreground(); // the writes it follows never reached the daemon
        }
        held(false, c -> {
            c.sync(dataOnly);
            if (state.entryPending) {
                // A new object's name in its tier must survive a crash with the bytes the sync promises.
                volume.tier(state.tier).syncDirectory("/");
                state.entryPending = false;
            }
            return null;
        });
        if (!dataOnly) {
            stub.sync(false);
        }
    }

    @Override
    public void truncate(long size) throws IOException {
        held(true, c -> {
            c.truncate(size);
            return null;
        });
    }

    @Override
    public Stat attributes() throws IOException {
        Stat st = stub.attributes();
        return held(false, c -> HybridVolume.merge(st, c.attributes()));
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        held(true, c -> {
            c.allocate(mode, offset, length);
            return null;
        });
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return held(false, c -> c.seek(offset, data));
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        if (change instanceof MetadataChange.SetXattr x) {
            HybridVolume.requireNotTiers(x.name());
        } else if (change instanceof MetadataChange.RemoveXattr x) {
            HybridVolume.requireNotTiers(x.name());
        }
        if (!(change instanceof MetadataChange.Times)) {
            stub.changeMetadata(change); // the stub keeps the file's attributes, as by name
            return;
        }
        held(true, c -> {
            c.changeMetadata(change);
            return null;
        });
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        if (name.startsWith(ReservedAttributes.COMPOSED_PREFIX)) {
            throw new PosixException(Errno.ENODATA, "getxattr", name);
        }
        return stub.getxattr(name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return stub.listxattr(names);
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (stub) {
            Content d = data;
            if (d != null) {
                d.close();
            }
        } finally {
            if (writes) {
                state.writers.decrementAndGet();
            }
            state.closed(this);
            entry.release();
        }
    }
}
