package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * Moves one file's object to the other tier: copy (to the part name, holes skipped, times kept),
 * sync, switch, free the source.
 *
 * <p>Writes are never held up by the copy: it runs without the file's gate, and a change of the file
 * while it runs (a write, truncate, fallocate or utimens) aborts the move, which the migrator retries
 * in a later pass. Only the switch holds the gate alone: it checks nothing changed, renames the part
 * into place, syncs the target tier's directory and points the file at the new tier; a call arriving
 * then waits for that much, never for the copy.
 *
 * <p>Crash safety, from what the tiers hold at the next mount ({@link Recovery}): a part name is an
 * unfinished copy and goes; an object in one tier is the file; an object in both is a move that
 * switched but had not freed its source, and the one with the later mtime wins (ties: the cold one),
 * since both hold the same bytes unless writes after the switch made the new one newer.
 */
final class Mover {
    private static final int CHUNK = 1 << 20;
    /**
     * A copy reaches the target in pieces this large (or a compressed tier's chunk), each sent to the
     * device at once ({@link Content#startWriteback}): a writer fdatasync'ing on the same disk then
     * finds a piece or two ahead of its own write, not the whole copy (one burst at the copy's sync
     * raised its p999 3-4x; see docs/benchmarks.md, "Hybrid"). Pauses come per {@link #CHUNK}: a
     * SCHED_IDLE thread woken after every piece waits long for a CPU on a busy machine.
     */
    private static final int PIECE = 64 << 10;
    /** How long a gentle copy pauses after each {@link #CHUNK} while the foreground is busy. */
    private static final long BUSY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int ATTEMPTS = 5;

    /** BUSY: the file is open in passthrough ({@link FileState#passThrough}) and stays put until it closes. */
    enum Outcome { MOVED, ABORTED, NOTHING, BUSY }

    /** What a move of a file open in passthrough ({@link Outcome#BUSY}) answers where it was asked for. */
    static PosixException passedThrough(String path) {
        return new PosixException(Errno.EBUSY, "open for writing in FUSE passthrough (the kernel writes it directly):"
                + " it can move once every handle of it is closed;", path);
    }

    /** How a copy is paced. */
    enum Pace {
        /** As fast as it goes: asked for now (a full hot tier, xdevfs tier migrate). */
        NONE,
        /** Under the rate limit: making room below the high-water mark, which cannot wait for quiet. */
        RATE,
        /** Under the rate limit, and pausing while the foreground is busy: moves by age and promotions. */
        GENTLE
    }

    private final HybridVolume volume;
    private final long bytesPerSecond;

    /** The piece sizes for copies into the hot and the cold tier. */
    private final int hotPiece;
    private final int coldPiece;

    Mover(HybridVolume volume, HybridSettings settings) {
        this.volume = volume;
        this.bytesPerSecond = settings.migrationRateLimit();
        this.hotPiece = pieceFor(settings.hot());
        this.coldPiece = pieceFor(settings.cold());
    }

    /** Whole chunks into a compressed tier: part of one would be a patch record, and a copy kept in its cache. */
    private static int pieceFor(LocalConfig tier) {
        return Math.max(PIECE, tier.compression().chunkSize());
    }

    /**
     * A move asked for now (xdevfs tier migrate, a full hot tier): not rate-limited, retried while
     * writes abort it; EBUSY if they keep doing so. {@link Outcome#BUSY} when the file is open in passthrough.
     */
    Outcome moveNow(long id, Tier to, String reason) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Outcome outcome = move(id, to, reason, Pace.NONE);
            if (outcome != Outcome.ABORTED) {
                return outcome;
            }
        }
        throw new PosixException(Errno.EBUSY, "file kept changing during " + ATTEMPTS + " attempts to move it", null);
    }

    Outcome move(long id, Tier to, String reason, Pace pace) throws IOException {
        long started = System.nanoTime();
        OpenFiles.Entry entry = volume.enter(id);
        FileState s = entry.state();
        s.moving.lock();
        try {
            Tier from;
            long seen;
            entry.gate.readLock().lock();
            try {
                from = volume.locate(s);
                seen = s.changes.get();
            } finally {
                entry.gate.readLock().unlock();
            }
            if (from == null || from == to || s.unlinked) {
                return Outcome.NOTHING;
            }
            if (s.passedThrough()) {
                return Outcome.BUSY;
            }
            Volume source = volume.tier(from);
            Volume target = volume.tier(to);
            long bytes;
            try {
                bytes = copy(source, target, to == Tier.COLD ? coldPiece : hotPiece, s, seen, reason, pace);
            } catch (IOException | RuntimeException e) {
                volume.stats.failed();
                removePart(target, id);
                throw e;
            }
            if (bytes < 0 || !switchTier(entry, s, seen, target, to)) {
                removePart(target, id);
                volume.stats.aborted();
                return Outcome.ABORTED;
            }
            Stat left = to == Tier.HOT ? objectOrNull(source, id) : null;
            ObjectNames.removeIfPresent(source, ObjectNames.of(id)); // if this fails, the next mount frees it (Recovery)
            volume.stats.moved(to, bytes, System.nanoTime() - started);
            Stat arrived = to == Tier.COLD ? objectOrNull(target, id) : null;
            if (left != null) {
                volume.coldCount.left(left.size, left.blocks * 512);
            }
            if (arrived != null) {
                volume.coldCount.arrived(arrived.size, arrived.blocks * 512);
            }
            return Outcome.MOVED;
        } finally {
            s.moving.unlock();
            entry.release();
        }
    }

    /** A tier's object of the file, for the cold tier's count; null when it cannot be read (the move stands). */
    private static Stat objectOrNull(Volume tier, long id) {
        try {
            return tier.getattr(ObjectNames.of(id));
        } catch (IOException e) {
            return null;
        }
    }

    /** The switch: alone in the file's gate, only if nothing changed since {@code seen}. */
    private boolean switchTier(OpenFiles.Entry entry, FileState s, long seen, Volume target, Tier to) throws IOException {
        Lock alone = entry.gate.writeLock();
        try {
            if (!alone.tryLock(1, TimeUnit.SECONDS)) {
                return false; // calls kept the gate busy: try again in a later pass
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        long held = System.nanoTime();
        try {
            if (s.changes.get() != seen || s.unlinked || s.passedThrough()) {
                return false;
            }
            target.rename(ObjectNames.part(s.id), ObjectNames.of(s.id), 0);
            target.syncDirectory("/");
            s.tier = to;
            s.generation++;
            s.entryPending = false;
            for (HybridContent handle : s.handles()) {
                handle.dropStale(); // never fails the switch: it is made
            }
            return true;
        } finally {
            alone.unlock();
            volume.stats.switched(System.nanoTime() - held);
        }
    }

    /** Copies the object to the target's part name and syncs it; -1 when the file changed meanwhile. */
    private long copy(Volume source, Volume target, int pieceSize, FileState s, long seen, String reason, Pace pace)
            throws IOException {
        long copied = 0;
        long began = System.nanoTime();
        try (Content in = source.open(ObjectNames.of(s.id), Flags.O_RDONLY);
             Content out = target.create(ObjectNames.part(s.id), Flags.O_WRONLY | Flags.O_TRUNC, 0600, HybridVolume.DAEMON)) {
            Stat st = in.attributes();
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long offset = 0;
            while (offset < st.size) {
                long dataAt = nextData(in, offset);
                if (dataAt < 0 || dataAt >= st.size) {
                    break;
                }
                long end = Math.min(st.size, Math.min(holeAfter(in, dataAt, st.size), dataAt + CHUNK));
                buffer.clear().limit((int) (end - dataAt));
                int n = in.read(buffer, dataAt);
                if (n <= 0) {
                    break;
                }
                buffer.flip();
                for (int at = 0; at < n; at += pieceSize) { // spaced by the work of each piece (compression)
                    int piece = Math.min(pieceSize, n - at);
                    out.writeAll(buffer.slice(at, piece), dataAt + at);
                    startWriteback(out);
                }
                copied += n;
                offset = dataAt + n;
                if (s.changes.get() != seen || s.unlinked) {
                    return -1;
                }
                if (pace != Pace.NONE) {
                    pace(copied, began, pace == Pace.GENTLE);
                }
            }
            out.truncate(st.size);
            out.changeMetadata(new MetadataChange.Times(st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec));
            Placement.record(target, ObjectNames.part(s.id), reason);
            Tier pin = Pins.of(source, ObjectNames.of(s.id));
            if (pin != null) {
                Pins.set(target, ObjectNames.part(s.id), pin);
            }
            out.sync(false);
        }
        return copied;
    }

    /** A hint: where the target refuses it, the copy goes on and its sync at the end still decides. */
    private static void startWriteback(Content out) {
        try {
            out.startWriteback();
        } catch (IOException e) {
            // the sync at the end reports a device error that matters
        }
    }

    private static long nextData(Content in, long offset) throws IOException {
        try {
            return in.seek(offset, true);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENXIO) {
                return -1;
            }
            throw e;
        }
    }

    private static long holeAfter(Content in, long dataAt, long size) throws IOException {
        try {
            return in.seek(dataAt, false);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENXIO) {
                return size;
            }
            throw e;
        }
    }

    /** Keeps a background copy under the rate limit, and ({@code gentle}) out of the way while foreground I/O is busy. */
    private void pace(long copied, long began, boolean gentle) {
        long due = began + (long) (copied * 1e9 / bytesPerSecond);
        long wait = due - System.nanoTime();
        if (gentle && volume.stats.foregroundBusy()) {
            wait = Math.max(wait, BUSY_PAUSE_NANOS);
        }
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void removePart(Volume target, long id) {
        try {
            target.unlink(ObjectNames.part(id));
        } catch (IOException ignored) {
            // the next mount removes parts (Recovery)
        }
    }
}
