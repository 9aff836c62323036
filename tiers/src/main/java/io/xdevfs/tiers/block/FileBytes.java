package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.format.AlignedBuffers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The bytes of block-volume files: whole 4 KiB blocks in allocation units, each block's CRC32C in the
 * metadata. A write reads the blocks it covers only in part, journals the new checksums (with any new
 * units and size) and then writes the blocks; a read verifies every block and answers EIO rather than
 * bytes that do not match. Invariant: in a written block, bytes past the file's size are zeros, so
 * growing a file never shows old bytes.
 */
final class FileBytes {
    static final int MAX_IO = 1 << 20;
    private static final int BLOCK = Geometry.BLOCK;
    /** Block indexes are ints in memory: 8 TiB per file. */
    static final long MAX_FILE_SIZE = (long) Integer.MAX_VALUE * BLOCK;

    private final BlockVolume volume;
    private final MetaStore store;
    private final MetaState state;
    private final Geometry g;
    private final int perUnit;
    final AtomicLong checksumErrors = new AtomicLong();
    /** Writes whose checksums went unjournaled: overwrites in place in dirty units. */
    final AtomicLong overwritesInPlace = new AtomicLong();
    /** A piece of up to MAX_IO bytes spans at most two blocks more than its length. */
    private final AlignedBuffers buffers = new AlignedBuffers(BLOCK, MAX_IO + 2 * BLOCK);

    /** No free unit now: frees waiting for a flush may make some. */
    private static final class NoSpace extends RuntimeException {
        NoSpace() {
            super(null, null, false, false);
        }
    }

    FileBytes(BlockVolume volume) {
        this.volume = volume;
        this.store = volume.store;
        this.state = volume.state;
        this.g = volume.geometry;
        this.perUnit = g.blocksPerUnit();
    }

    private ByteBuffer buffer() {
        return buffers.get();
    }

    int read(Inode f, ByteBuffer dst, long offset) throws IOException {
        f.io.readLock().lock();
        try {
            long size = f.size;
            if (offset >= size || !dst.hasRemaining()) {
                return 0;
            }
            int total = (int) Math.min(dst.remaining(), size - offset);
            for (int done = 0; done < total; ) {
                int n = Math.min(total - done, MAX_IO);
                long at = offset + done;
                long first = at / BLOCK;
                long last = (at + n - 1) / BLOCK;
                ByteBuffer buf = buffer();
                load(f, first, (int) (last - first + 1), buf, 0);
                int skip = (int) (at - first * BLOCK);
                dst.put(buf.duplicate().position(skip).limit(skip + n));
                done += n;
            }
            return total;
        } finally {
            f.io.readLock().unlock();
        }
    }

    /** Fills {@code count} blocks of {@code buf} from its block {@code at} with the file's blocks from {@code first}, verified. */
    private void load(Inode f, long first, int count, ByteBuffer buf, int at) throws IOException {
        for (int i = 0; i < count; ) {
            long block = first + i;
            long physical = f.unit(block / perUnit);
            if (physical < 0 || !f.written.get(block)) {
                zero(buf, (at + i) * BLOCK, BLOCK);
                i++;
                continue;
            }
            int j = i + 1;
            while (j < count && (first + j) / perUnit == block / perUnit && f.written.get(first + j)) {
                j++;
            }
            store.device.readData(buf.duplicate().position((at + i) * BLOCK).limit((at + j) * BLOCK),
                    g.blockOffset(physical, block));
            for (int k = i; k < j; k++) {
                verify(f, first + k, buf, (at + k) * BLOCK);
            }
            i = j;
        }
    }

    private void verify(Inode f, long block, ByteBuffer buf, int offset) throws IOException {
        int crc = crc(buf, offset);
        if (crc == f.crc(block)) {
            return;
        }
        Long before;
        synchronized (state) {
            before = f.previous.get(block);
        }
        if (before != null && before == Change.UNWRITTEN) {
            zero(buf, offset, BLOCK); // the write that would have filled it never reached the device
            return;
        }
        if (before != null && before == (crc & 0xffffffffL)) {
            return; // the block's last write never reached the device: its earlier bytes stand
        }
        checksumErrors.incrementAndGet();
        boolean zeros = allZeros(buf, offset);
        throw new PosixException(Errno.EIO, "block " + block + " of inode " + f.id + " does not match its checksum ("
                + (zeros ? "it reads as zeros" : "CRC32C " + Integer.toHexString(crc)) + ", expected "
                + Integer.toHexString(f.crc(block)) + ", unit " + f.unit(block / perUnit) + ")", null);
    }

    int write(Inode f, ByteBuffer src, long offset, boolean append) throws IOException {
        f.io.writeLock().lock();
        try {
            long at = append ? f.size : offset;
            int total = src.remaining();
            if (at + total > MAX_FILE_SIZE) {
                throw new PosixException(Errno.EFBIG, "write", null);
            }
            int start = src.position();
            try {
                while (src.hasRemaining()) {
                    int n = Math.min(src.remaining(), MAX_IO);
                    writePiece(f, src.slice(src.position(), n), at);
                    src.position(src.position() + n);
                    at += n;
                }
            } catch (PosixException e) {
                if (src.position() == start) {
                    throw e;
                }
                return src.position() - start; // the device filled up after some pieces: a short write, as write(2) gives it
            }
            return total;
        } finally {
            f.io.writeLock().unlock();
        }
    }

    private void writePiece(Inode f, ByteBuffer piece, long at) throws IOException {
        long end = at + piece.remaining();
        long first = at / BLOCK;
        long last = (end - 1) / BLOCK;
        int count = (int) (last - first + 1);
        ByteBuffer buf = buffer();
        int head = (int) (at - first * BLOCK);
        int tail = (int) (end - last * BLOCK);
        if (head != 0) {
            load(f, first, 1, buf, 0);
        }
        if (tail != BLOCK && (last != first || head == 0)) {
            load(f, last, 1, buf, count - 1);
        }
        buf.duplicate().position(head).put(piece.duplicate());
        int[] crcs = new int[count];
        for (int k = 0; k < count; k++) {
            crcs[k] = crc(buf, k * BLOCK);
        }
        long[] t = BlockVolume.now();
        guarded(() -> {
            protect(f, first, last);
            synchronized (state) {
                if (end <= f.size && f.inPlace.nextClearBit(first) > last) {
                    // In place, in settled dirty units: after a crash the mount takes these blocks' checksums
                    // from their bytes, so they need no frame (the next checkpoint records them) and the
                    // fdatasync after a WAL overwrite is one device flush.
                    state.apply(new Change.Checksums(f.id, first, crcs));
                    f.touch(t);
                    overwritesInPlace.incrementAndGet();
                } else {
                    List<Change> changes = new ArrayList<>(mapUnits(f, first / perUnit, last / perUnit));
                    changes.add(new Change.Checksums(f.id, first, crcs));
                    if (end > f.size) {
                        changes.add(BlockVolume.modified(f, t, c -> c.size = end));
                    } else {
                        f.touch(t);
                    }
                    store.commit(changes);
                    if (f.syncs) {
                        store.startJournalWriteback();
                    }
                }
            }
            writeBlocks(f, first, count, buf);
        });
    }

    /** Writes blocks the metadata already has checksums for, then lets go of their earlier checksums. */
    private void writeBlocks(Inode f, long first, int count, ByteBuffer buf) throws IOException {
        for (int i = 0; i < count; ) {
            long block = first + i;
            int j = Math.min(count, (int) ((block / perUnit + 1) * perUnit - first));
            store.device.writeData(buf.duplicate().position(i * BLOCK).limit(j * BLOCK),
                    g.blockOffset(f.unit(block / perUnit), block));
            i = j;
        }
        synchronized (state) {
            for (long b = first; b < first + count; b++) {
                f.previous.remove(b);
            }
        }
    }

    /** Unit changes giving the file's pieces {@code from..to} a unit each where they have none. */
    private List<Change> mapUnits(Inode f, long from, long to) {
        List<Change> out = new ArrayList<>();
        Set<Long> taken = new HashSet<>();
        long previous = from > 0 ? f.unit(from - 1) : -1;
        for (long i = from; i <= to; i++) {
            long physical = f.unit(i);
            if (physical < 0) {
                physical = state.allocate(previous + 1, taken);
                if (physical < 0) {
                    throw new NoSpace();
                }
                taken.add(physical);
                out.add(new Change.Unit(f.id, i, physical));
            }
            previous = physical;
        }
        return out;
    }

    private interface Step {
        void run() throws IOException;
    }

    /**
     * Runs a step that changes checksums and then writes the blocks, under the gate's read lock, so that
     * no checkpoint comes between the two. A full journal: a checkpoint, and the step again (nothing was
     * changed). No free unit: a flush (frees become reusable) and the step once more, then ENOSPC.
     */
    private void guarded(Step step) throws IOException {
        boolean flushed = false;
        while (true) {
            RuntimeException retry = null;
            store.gate.readLock().lock();
            try {
                step.run();
            } catch (MetaStore.JournalFull | NoSpace e) {
                retry = e;
            } finally {
                store.gate.readLock().unlock();
            }
            if (retry == null) {
                volume.checkpointIfDue();
                return;
            }
            if (retry instanceof MetaStore.JournalFull) {
                store.checkpoint();
            } else if (flushed) {
                throw new PosixException(Errno.ENOSPC, "no free allocation unit", null);
            } else {
                flushed = true;
                store.sync();
                try {
                    volume.drainDiscards();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Before blocks that hold bytes are overwritten: their units are journaled dirty and flushed, then
     * settled and flushed, once per unit between checkpoints (see {@link Change.Dirty} and
     * {@link Change.Settled}: later overwrites of those blocks need no frame). Fresh blocks need nothing:
     * if their checksums never reach the device they read as zeros.
     */
    private void protect(Inode f, long first, long last) throws IOException {
        Map<Long, Long> units = new TreeMap<>(); // piece -> unit
        synchronized (state) {
            for (long b = f.written.nextSetBit(first); b >= 0 && b <= last; b = f.written.nextSetBit(b + 1)) {
                long u = f.unit(b / perUnit);
                if (u >= 0 && !state.dirty.get((int) u)) {
                    units.put(b / perUnit, u);
                }
            }
            if (units.isEmpty()) {
                return;
            }
            store.commit(units.values().stream().map(u -> (Change) new Change.Dirty(u)).toList());
        }
        store.sync();
        // Durable before any frameless overwrite can land: a replay without it could not tell these
        // blocks' earlier writes from ones that never reached the device.
        synchronized (state) {
            store.commit(units.keySet().stream().map(piece -> (Change) new Change.Settled(f.id, piece)).toList());
        }
        store.sync();
    }

    void truncate(Inode f, long size) throws IOException {
        if (size < 0) {
            throw new PosixException(Errno.EINVAL, "truncate", null);
        }
        if (size > MAX_FILE_SIZE) {
            throw new PosixException(Errno.EFBIG, "truncate", null);
        }
        f.io.writeLock().lock();
        try {
            long[] t = BlockVolume.now();
            long tailBlock = size / BLOCK;
            boolean rewriteTail = size < f.size && size % BLOCK != 0 && f.written.get(tailBlock);
            ByteBuffer buf = buffer();
            int[] crc = new int[1];
            if (rewriteTail) {
                load(f, tailBlock, 1, buf, 0);
                zero(buf, (int) (size % BLOCK), BLOCK - (int) (size % BLOCK));
                crc[0] = crc(buf, 0);
            }
            guarded(() -> {
                if (rewriteTail) {
                    protect(f, tailBlock, tailBlock);
                }
                synchronized (state) {
                    List<Change> changes = new ArrayList<>();
                    if (rewriteTail) {
                        changes.add(new Change.Checksums(f.id, tailBlock, crc));
                    }
                    if (size < f.size) {
                        changes.add(new Change.Cut(f.id, (size + BLOCK - 1) / BLOCK));
                    }
                    changes.add(BlockVolume.modified(f, t, c -> c.size = size));
                    store.commit(changes);
                }
                if (rewriteTail) {
                    writeBlocks(f, tailBlock, 1, buf);
                }
            });
        } finally {
            f.io.writeLock().unlock();
        }
    }

    void allocate(Inode f, int mode, long offset, long length) throws IOException {
        int known = Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_ZERO_RANGE;
        boolean punch = (mode & Flags.FALLOC_FL_PUNCH_HOLE) != 0;
        boolean zero = (mode & Flags.FALLOC_FL_ZERO_RANGE) != 0;
        boolean keepSize = (mode & Flags.FALLOC_FL_KEEP_SIZE) != 0;
        if ((mode & ~known) != 0 || (punch && (zero || !keepSize))) {
            throw new PosixException(Errno.EOPNOTSUPP, "fallocate mode " + mode, null);
        }
        if (offset < 0 || length <= 0) {
            throw new PosixException(Errno.EINVAL, "fallocate", null);
        }
        long end = offset + length;
        if (end > MAX_FILE_SIZE || end < 0) {
            throw new PosixException(Errno.EFBIG, "fallocate", null);
        }
        f.io.writeLock().lock();
        try {
            long[] t = BlockVolume.now();
            if (punch || zero) {
                zeroRange(f, offset, Math.min(end, Math.max(f.size, offset)), punch, t);
            }
            guarded(() -> {
                synchronized (state) {
                    List<Change> changes = new ArrayList<>();
                    if (!punch) {
                        changes.addAll(mapUnits(f, offset / g.unitSize(), (end - 1) / g.unitSize()));
                    }
                    if (!keepSize && end > f.size) {
                        changes.add(BlockVolume.modified(f, t, c -> c.size = end));
                    }
                    store.commit(changes);
                }
            });
        } finally {
            f.io.writeLock().unlock();
        }
    }

    /**
     * Makes [from, to) read as zeros: partly covered blocks rewritten (or unwritten, when nothing but
     * zeros would be left in them), whole blocks unwritten, and with {@code unmap} (a punched hole) every
     * unit the range touches that keeps no written block given back. So holes punched piece by piece
     * (a compressed file's superseded records, never adjacent) free a unit once all of it is free.
     */
    private void zeroRange(Inode f, long from, long to, boolean unmap, long[] t) throws IOException {
        if (from >= to) {
            return;
        }
        long firstWhole = (from + BLOCK - 1) / BLOCK;
        long endWhole = to / BLOCK;
        java.util.TreeSet<Long> edges = new java.util.TreeSet<>();
        List<Long> nowZero = new ArrayList<>(2);
        if (from % BLOCK != 0) {
            edges.add(from / BLOCK);
        }
        if (to % BLOCK != 0) {
            edges.add((to - 1) / BLOCK);
        }
        for (long edge : edges) {
            if (!f.written.get(edge)) {
                continue; // reads as zeros already
            }
            long start = edge * BLOCK;
            ByteBuffer buf = buffer();
            load(f, edge, 1, buf, 0);
            int zFrom = (int) Math.max(0, from - start);
            int zTo = (int) Math.min(BLOCK, to - start);
            zero(buf, zFrom, zTo - zFrom);
            if (allZeros(buf, 0)) {
                nowZero.add(edge); // reads as zeros without being written
                continue;
            }
            int[] crc = {crc(buf, 0)};
            guarded(() -> {
                protect(f, edge, edge);
                synchronized (state) {
                    store.commit(List.of(new Change.Checksums(f.id, edge, crc)));
                }
                writeBlocks(f, edge, 1, buf);
            });
        }
        volume.change(() -> {
            List<Change> changes = new ArrayList<>();
            if (endWhole > firstWhole) {
                changes.add(new Change.Unwritten(f.id, firstWhole, endWhole - firstWhole));
            }
            for (long block : nowZero) {
                changes.add(new Change.Unwritten(f.id, block, 1));
            }
            if (unmap) {
                for (long u = from / BLOCK / perUnit; u <= (to - 1) / BLOCK / perUnit; u++) {
                    if (f.unit(u) >= 0 && !keepsWrittenBlocks(f, u, firstWhole, endWhole, nowZero)) {
                        changes.add(new Change.Unit(f.id, u, -1));
                    }
                }
            }
            changes.add(BlockVolume.modified(f, t, c -> { }));
            store.commit(changes);
            return null;
        });
    }

    /** Whether the block at {@code offset} of {@code buf} holds only zeros. */
    private static boolean allZeros(ByteBuffer buf, int offset) {
        return buf.duplicate().position(offset).limit(offset + BLOCK).mismatch(ByteBuffer.wrap(ZEROS)) == -1;
    }

    /** Whether unit {@code u} of {@code f} still has a written block once [firstWhole, endWhole) and {@code nowZero} are unwritten. */
    private boolean keepsWrittenBlocks(Inode f, long u, long firstWhole, long endWhole, List<Long> nowZero) {
        long from = u * perUnit;
        long to = from + perUnit;
        for (long b = f.written.nextSetBit(from); b >= 0 && b < to; b = f.written.nextSetBit(b + 1)) {
            if ((b < firstWhole || b >= endWhole) && !nowZero.contains(b)) {
                return true;
            }
        }
        return false;
    }

    long seek(Inode f, long offset, boolean data) throws IOException {
        f.io.readLock().lock();
        try {
            if (offset < 0) {
                throw new PosixException(Errno.EINVAL, "lseek", null);
            }
            long size = f.size;
            if (offset >= size) {
                throw new PosixException(Errno.ENXIO, "lseek", null);
            }
            long block = offset / BLOCK;
            if (data) {
                long next;
                synchronized (state) {
                    next = f.written.nextSetBit(block);
                }
                if (next < 0 || next * BLOCK >= size) {
                    throw new PosixException(Errno.ENXIO, "lseek", null);
                }
                return Math.max(offset, next * BLOCK);
            }
            long next;
            synchronized (state) {
                next = f.written.nextClearBit(block);
            }
            return Math.min(size, Math.max(offset, next * BLOCK));
        } finally {
            f.io.readLock().unlock();
        }
    }

    /**
     * After a replay, before the mount's checkpoint: reads each block whose last write may not have
     * reached the device, once, and settles its checksum on what is there (the new bytes, or the earlier
     * ones, or none: zeros). A block matching neither stays as journaled, for reads to answer EIO and
     * fsck to report. Returns the blocks read.
     */
    long settleAfterReplay() throws IOException {
        long settled = 0;
        for (Inode f : state.inodes.values()) {
            java.util.TreeSet<Long> blocks = new java.util.TreeSet<>(f.previous.keySet());
            for (long b = f.written.nextSetBit(0); b >= 0; b = f.written.nextSetBit(b + 1)) {
                long u = f.unit(b / perUnit);
                if (u >= 0 && state.dirty.get((int) u)) {
                    blocks.add(b);
                }
            }
            while (!blocks.isEmpty()) {
                long first = blocks.first();
                long physical = f.unit(first / perUnit);
                int count = 1;
                while (count < MAX_IO / BLOCK && blocks.contains(first + count)
                        && (first + count) / perUnit == first / perUnit) {
                    count++;
                }
                ByteBuffer buf = buffer();
                if (physical >= 0 && f.written.get(first)) {
                    store.device.readData(buf.duplicate().limit(count * BLOCK), g.blockOffset(physical, first));
                }
                for (int k = 0; k < count; k++) {
                    long block = first + k;
                    blocks.remove(block);
                    Long before = f.previous.remove(block);
                    if (physical < 0 || !f.written.get(block)) {
                        continue;
                    }
                    int crc = crc(buf, k * BLOCK);
                    if (crc == f.crc(block)) {
                        settled++;
                        continue;
                    }
                    if (before != null && before == Change.UNWRITTEN) {
                        f.written.clear(block);
                    } else if ((before != null && before == (crc & 0xffffffffL)) || state.dirty.get((int) physical)) {
                        f.crcs.set(block, crc); // an overwrite that was never synced: old or new bytes stand
                    }
                    settled++;
                }
            }
        }
        return settled;
    }

    static int crc(ByteBuffer buf, int offset) {
        CRC32C c = new CRC32C();
        c.update(buf.duplicate().position(offset).limit(offset + BLOCK));
        return (int) c.getValue();
    }

    private static final byte[] ZEROS = new byte[BLOCK];

    private static void zero(ByteBuffer buf, int offset, int length) {
        buf.put(offset, ZEROS, 0, length);
    }
}
