package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.PosixException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps a block volume's metadata consistent on the device: the state in memory, the journal that
 * records each operation's changes as one frame, and the checkpoints that let the journal start over.
 *
 * <p>Locks, in this order: an inode's {@code io} lock; the {@link #gate} (read: an operation, including
 * its data writes; write: a checkpoint, which must see no write between its checksum change and its
 * data); the {@link #state} monitor (names, attributes, the journal's tail).
 *
 * <p>A checkpoint writes the whole state into the slot the current one is not in, flushes, then the
 * superblock copy the current one is not in, flushes, and only then starts the journal over in the new
 * epoch. A crash at any point leaves one valid superblock that names a complete checkpoint and a
 * journal of its epoch.
 */
final class MetaStore {
    /** Thrown by {@link #commit} when the journal lacks room: nothing was changed; checkpoint and retry. */
    static final class JournalFull extends RuntimeException {
        JournalFull() {
            super(null, null, false, false);
        }
    }

    final Device device;
    final MetaState state;
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private Superblock superblock;
    private long journalTail;
    /** The journal before this offset was sent toward the device by {@link #startJournalWriteback}. */
    private long writebackStarted;
    private long sequence;
    private final ByteBuffer frame = ByteBuffer.allocateDirect(1 << 20);
    private final Discards discards;
    final AtomicLong frames = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();
    final AtomicLong checkpoints = new AtomicLong();
    private volatile long lastCheckpointBytes;

    private MetaStore(Device device, Superblock superblock, MetaState state, Discards discards) {
        this.device = device;
        this.superblock = superblock;
        this.state = state;
        this.discards = discards;
    }

    Superblock superblock() {
        return superblock;
    }

    /** Records how the volume's files store their bytes; written with the next checkpoint. */
    void recordFiles(String format) {
        superblock = superblock.withFiles(format);
    }

    /**
     * Writes a new, empty volume: a root directory owned by {@code uid}/{@code gid}. Both superblock
     * copies are written valid (generations 0 and 1, each naming its own checkpoint slot), so that
     * a damaged copy is a finding of fsck from the first mount on.
     */
    static void format(Device device, Geometry geometry, String label, int rootMode, int uid, int gid, long[] now)
            throws IOException {
        Superblock first = new Superblock(0, UUID.randomUUID(), label, geometry);
        Change.Attributes root = new Change.Attributes(MetaState.ROOT, rootMode, uid, gid, 2, 0, 0, now[0], now[1],
                now[0], now[1], now[0], now[1], "");
        device.writeMeta(ByteBuffer.allocate(Geometry.SUPERBLOCK_BYTES), geometry.journalOffset());
        for (Superblock sb : List.of(first, first.next())) {
            device.writeMeta(Frames.checkpoint(sb.uuid().getMostSignificantBits(), sb.generation(), List.of(root)),
                    geometry.slotOffset(sb.slot()));
            device.flush();
            device.writeMeta(sb.encode(), geometry.superblockOffset(sb.copy()));
            device.flush();
        }
    }

    /** What the two superblock copies hold. */
    static Superblock.Result[] readSuperblocks(Device device) throws PosixException {
        Superblock.Result[] r = new Superblock.Result[2];
        for (int copy = 0; copy < 2; copy++) {
            ByteBuffer b = ByteBuffer.allocate(Geometry.SUPERBLOCK_BYTES);
            device.readMeta(b, (long) copy * Geometry.SUPERBLOCK_BYTES);
            r[copy] = Superblock.decode(b.flip());
        }
        return r;
    }

    /**
     * The state of the device's newest valid superblock: its checkpoint and then its journal, up to the
     * first frame that is not the next valid one. {@code replay} counts what was found.
     */
    static MetaStore load(Device device, Discards discards, Replay replay) throws IOException {
        Superblock.Result[] copies = readSuperblocks(device);
        Superblock sb = Superblock.newest(copies[0], copies[1]).orElseThrow(() -> new IOException(
                "no valid xdevfs superblock (first copy: " + copies[0].problem() + "; second copy: "
                        + copies[1].problem() + "): run xdevfs format " + device.path));
        Geometry g = sb.geometry();
        if (g.deviceBytes() > device.size()) {
            throw new IOException("formatted for " + g.deviceBytes() + " bytes, the device has only " + device.size());
        }
        long volume = sb.uuid().getMostSignificantBits();
        // The header says how much of the slot the checkpoint fills: only that is read.
        ByteBuffer header = ByteBuffer.allocate(Frames.CHECKPOINT_HEADER);
        device.readMeta(header, g.slotOffset(sb.slot()));
        long body = header.getLong(20);
        List<Change> checkpoint = null;
        if (body >= 0 && body <= g.slotBytes() - Frames.CHECKPOINT_HEADER) {
            ByteBuffer slot = ByteBuffer.allocate((int) (Frames.CHECKPOINT_HEADER + body));
            device.readMeta(slot, g.slotOffset(sb.slot()));
            checkpoint = Frames.readCheckpoint(slot.flip(), volume, sb.generation());
        }
        if (checkpoint == null) {
            throw new IOException("the checkpoint of generation " + sb.generation() + " is damaged (run xdevfs fsck)");
        }
        MetaState state = new MetaState(g);
        state.load(checkpoint);
        replay.checkpointChanges = checkpoint.size();
        MetaStore store = new MetaStore(device, sb, state, discards);
        store.replayJournal(replay);
        return store;
    }

    /** What loading found. */
    static final class Replay {
        int checkpointChanges;
        long frames;
        long changes;
    }

    private void replayJournal(Replay replay) throws IOException {
        Geometry g = superblock.geometry();
        long volume = superblock.uuid().getMostSignificantBits();
        long at = 0;
        long seq = 0;
        ByteBuffer header = ByteBuffer.allocate(Frames.JOURNAL_HEADER);
        while (at + Frames.JOURNAL_HEADER <= g.journalBytes()) {
            header.clear();
            device.readMeta(header, g.journalOffset() + at);
            Frames.Header h = Frames.Header.read(header.flip(), volume, superblock.generation(), seq,
                    g.journalBytes() - at);
            if (h == null) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(h.bodyLength());
            device.readMeta(body, g.journalOffset() + at + Frames.JOURNAL_HEADER);
            List<Change> changes = h.changes(body.flip());
            if (changes == null) {
                break;
            }
            try {
                changes.forEach(state::apply);
            } catch (IllegalStateException e) {
                throw new IOException("journal frame " + seq + " does not fit the checkpoint: " + e.getMessage()
                        + " (run xdevfs fsck)");
            }
            replay.frames++;
            replay.changes += changes.size();
            at += Frames.JOURNAL_HEADER + h.bodyLength();
            seq++;
        }
        journalTail = at;
        sequence = seq;
    }

    /**
     * Journals {@code changes} as one frame and applies them. The caller holds the gate's read lock and
     * the state monitor. The frame is in the page cache when this returns (it survives the daemon's
     * death); {@link #sync} makes it durable.
     */
    void commit(List<Change> changes) throws IOException {
        if (changes.isEmpty()) {
            return;
        }
        int size = Frames.JOURNAL_HEADER + Frames.bodySize(changes);
        Geometry g = superblock.geometry();
        if (size > frame.capacity() || size > g.journalBytes() / 4) {
            throw new PosixException(Errno.ENOSPC, "one operation's metadata exceeds the journal", null);
        }
        if (journalTail + size > g.journalBytes()) {
            throw new JournalFull();
        }
        frame.clear();
        Frames.journalFrame(frame, superblock.uuid().getMostSignificantBits(), superblock.generation(), sequence, changes);
        device.writeMeta(frame.flip(), g.journalOffset() + journalTail);
        journalTail += size;
        sequence++;
        frames.incrementAndGet();
        changes.forEach(state::apply);
    }

    /**
     * Starts writing the journal's frames committed since the last call toward the device (the caller
     * holds the state monitor). A write that an fsync will follow (a WAL's append) sends its frame
     * while its data goes to the device, so the fsync finds the journal written and only flushes: one
     * device round trip fewer per sync. Durability is still the fsync's.
     */
    void startJournalWriteback() {
        if (journalTail <= writebackStarted) {
            return;
        }
        long from = writebackStarted & -Geometry.BLOCK;
        device.startWriteback(superblock.geometry().journalOffset() + from, journalTail - from);
        writebackStarted = journalTail;
    }

    /** At most this many dirty units between checkpoints: what recovery after a power cut reads. */
    static final int MAX_DIRTY_UNITS = 128;

    /**
     * More than three quarters of the journal used, or many units dirty: time for a checkpoint, between
     * operations.
     */
    boolean wantsCheckpoint() {
        synchronized (state) { // the journal's tail and the dirty units change under it
            return journalTail > superblock.geometry().journalBytes() / 4 * 3 || state.dirty.cardinality() > MAX_DIRTY_UNITS;
        }
    }

    double journalFill() {
        return (double) journalTail / superblock.geometry().journalBytes();
    }

    long lastCheckpointBytes() {
        return lastCheckpointBytes;
    }

    /**
     * Makes every change committed so far, and every data write finished so far, durable (one fsync of
     * the device: the journal's pages, then a cache flush). Units those changes freed become reusable
     * (after their discard, with enable_trim).
     */
    void sync() throws IOException {
        long mark;
        synchronized (state) {
            mark = state.freeMark();
        }
        long covered = device.writesDone();
        if (covered != flushedWrites.get()) { // else every finished write is durable already (an O_DSYNC write's
            device.flush();             // own flush, then the kernel's FSYNC for it, is one flush)
            flushes.incrementAndGet();
            flushedWrites.accumulateAndGet(covered, Math::max);
        }
        releaseFlushed(mark);
    }

    /** Writes (as {@link Device#writesDone} counts them) that a completed flush covered. */
    private final AtomicLong flushedWrites = new AtomicLong(-1);

    /** Units handed to the discard thread and not reusable yet (under the state monitor). */
    private final BitSet discarding = new BitSet();

    /**
     * Units whose frees a flush made durable (those freed by {@code mark}, read before the flush began):
     * reusable now, or once discarded with enable_trim. A unit is handed to the discard thread once: a
     * second discard, queued behind the first or by a flush that ends after the unit was released and
     * given to another file, would wipe that file's bytes.
     */
    private void releaseFlushed(long mark) {
        BitSet freed;
        synchronized (state) {
            freed = state.freedBy(mark);
            freed.andNot(discarding);
            if (freed.isEmpty()) {
                return;
            }
            if (discards == null) {
                state.release(freed);
                return;
            }
            discarding.or(freed);
        }
        discards.submit(freed, units -> {
            synchronized (state) {
                state.release(units);
                discarding.andNot(units);
            }
        });
    }

    /** Writes the whole state as a new checkpoint and starts the journal over (see the class comment). */
    void checkpoint() throws IOException {
        gate.writeLock().lock();
        try {
            synchronized (state) {
                // No data write is between its checksum change and its data (the gate excludes them); the
                // earlier checksums still kept are those a replay found, and the snapshot keeps them.
                for (Inode f : state.inodes.values()) {
                    f.timesDirty = false;
                }
                long mark = state.freeMark();
                Superblock next = superblock.next();
                Geometry g = next.geometry();
                ByteBuffer content = Frames.checkpoint(next.uuid().getMostSignificantBits(), next.generation(),
                        state.snapshot());
                if (content.remaining() > g.slotBytes()) {
                    throw new PosixException(Errno.ENOSPC, "the metadata (" + content.remaining()
                            + " bytes) exceeds a checkpoint slot (" + g.slotBytes() + " bytes)", null);
                }
                lastCheckpointBytes = content.remaining();
                device.writeMeta(content, g.slotOffset(next.slot()));
                device.flush();
                device.writeMeta(next.encode(), g.superblockOffset(next.copy()));
                device.flush();
                superblock = next;
                journalTail = 0;
                writebackStarted = 0;
                sequence = 0;
                checkpoints.incrementAndGet();
                state.clearDirty(); // every overwrite has finished and was flushed with the checkpoint
                releaseFlushed(mark);
            }
        } finally {
            gate.writeLock().unlock();
        }
    }
}
