package io.xdevfs.tiers.block;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A block volume's metadata as of the last change applied: the inodes and which allocation units are
 * in use. Live changes, the checkpoint at mount and the journal's replay all go through {@link #apply},
 * so the volume in memory is what a replay rebuilds.
 *
 * <p>A unit freed while live is not handed out again until the change that freed it is durable
 * ({@link #freedBy}, {@link #release}): before that, a crash could bring its old file back, and
 * that file's bytes must still be there.
 */
final class MetaState {
    static final long ROOT = 1;

    final Geometry geometry;
    final Map<Long, Inode> inodes = new TreeMap<>();
    private final BitSet used = new BitSet();
    private final BitSet pending = new BitSet();
    /** The count of frees when each pending unit was freed ({@link #freeMark}). */
    private final Map<Integer, Long> freedAt = new java.util.HashMap<>();
    private long frees;
    /** Units overwritten since the last checkpoint ({@link Change.Dirty}). */
    final BitSet dirty = new BitSet();
    private long nextId = ROOT + 1;
    private boolean live;
    /** Off while a checkpoint loads: its checksums are settled, and it names earlier ones explicitly. */
    private boolean journaling = true;

    MetaState(Geometry geometry) {
        this.geometry = geometry;
    }

    /** Applies a checkpoint's changes (then goes back to journal semantics). */
    void load(List<Change> checkpoint) {
        journaling = false;
        try {
            checkpoint.forEach(this::apply);
        } finally {
            journaling = true;
        }
    }

    /** A checkpoint: no unit is dirty, so no block may be overwritten in place any more. */
    void clearDirty() {
        dirty.clear();
        inodes.values().forEach(f -> f.inPlace.clear());
    }

    /** From here on frees wait for {@link #release} (replay frees at once: what it frees is durable). */
    void goLive() {
        live = true;
    }

    Inode inode(long id) {
        return inodes.get(id);
    }

    long newId() {
        return nextId++;
    }

    void apply(Change change) {
        if (change instanceof Change.Attributes a) {
            inodes.computeIfAbsent(a.id(), Inode::new).assign(a);
            nextId = Math.max(nextId, a.id() + 1);
        } else if (change instanceof Change.Entry e) {
            Inode parent = existing(e.parent());
            if (e.child() == 0) {
                parent.children.remove(e.name());
            } else {
                parent.children.put(e.name(), e.child());
            }
        } else if (change instanceof Change.Unit u) {
            Inode f = existing(u.id());
            free(f.unit(u.index()));
            if (u.physical() >= 0) {
                used.set((int) u.physical());
            }
            f.setUnit(u.index(), u.physical());
            f.inPlace.clear(u.index() * geometry.blocksPerUnit(), (u.index() + 1) * geometry.blocksPerUnit());
        } else if (change instanceof Change.Cut c) {
            Inode f = existing(c.id());
            f.written.clear(c.fromBlock(), Long.MAX_VALUE);
            f.inPlace.clear(c.fromBlock(), Long.MAX_VALUE);
            f.crcs.clearFrom(c.fromBlock());
            f.previous.keySet().removeIf(b -> b >= c.fromBlock());
            long firstUnit = (c.fromBlock() + geometry.blocksPerUnit() - 1) / geometry.blocksPerUnit();
            f.units.forEachFrom(firstUnit, (index, unit) -> free(unit));
            f.units.clearFrom(firstUnit);
        } else if (change instanceof Change.Checksums s) {
            Inode f = existing(s.id());
            for (int i = 0; i < s.crcs().length; i++) {
                long block = s.firstBlock() + i;
                long before = f.written.get(block) ? f.crc(block) & 0xffffffffL : Change.UNWRITTEN;
                long now = s.crcs()[i] & 0xffffffffL;
                if (before != now && journaling) {
                    f.previous.put(block, before);
                }
                if (before == Change.UNWRITTEN) {
                    f.inPlace.clear(block); // a fresh block: a replay must still be able to tell it never landed
                }
                f.setCrc(block, s.crcs()[i]);
            }
        } else if (change instanceof Change.Unwritten w) {
            Inode f = existing(w.id());
            f.written.clear(w.firstBlock(), w.firstBlock() + w.count());
            f.inPlace.clear(w.firstBlock(), w.firstBlock() + w.count());
            f.previous.keySet().removeIf(b -> b >= w.firstBlock() && b < w.firstBlock() + w.count());
        } else if (change instanceof Change.Xattr x) {
            Inode f = existing(x.id());
            if (x.value() == null) {
                f.xattrs.remove(x.name());
            } else {
                f.xattrs.put(x.name(), x.value());
            }
        } else if (change instanceof Change.Dirty d) {
            dirty.set((int) d.unit());
        } else if (change instanceof Change.Settled s) {
            Inode f = existing(s.id());
            long from = s.index() * geometry.blocksPerUnit();
            long to = from + geometry.blocksPerUnit();
            for (long b = f.written.nextSetBit(from); b >= 0 && b < to; b = f.written.nextSetBit(b + 1)) {
                f.previous.remove(b);
                f.inPlace.set(b);
            }
        } else if (change instanceof Change.Earlier e) {
            existing(e.id()).previous.put(e.block(), e.crc());
        } else if (change instanceof Change.Delete d) {
            Inode f = inodes.remove(d.id());
            if (f != null) {
                f.units.forEachFrom(0, (index, unit) -> free(unit));
            }
        }
    }

    private Inode existing(long id) {
        Inode f = inodes.get(id);
        if (f == null) {
            throw new IllegalStateException("a change names inode " + id + ", which does not exist");
        }
        return f;
    }

    private void free(long unit) {
        if (unit >= 0) {
            used.clear((int) unit);
            if (live) {
                pending.set((int) unit);
                freedAt.put((int) unit, ++frees);
            }
        }
    }

    /**
     * A free unit not in {@code taken} (units one operation already chose), the first at or after
     * {@code preferred} (a file's next unit follows its last), or -1.
     */
    long allocate(long preferred, java.util.Set<Long> taken) {
        long units = geometry.units();
        long start = preferred >= 0 && preferred < units ? preferred : 0;
        for (long from : new long[] {start, 0}) {
            int i = from == 0 ? 0 : (int) from;
            while (i < units) {
                i = used.nextClearBit(i);
                if (i >= units) {
                    break;
                }
                if (!pending.get(i) && !taken.contains((long) i)) {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }

    /** Where the frees are now: a flush begun after reading it makes every free up to it durable. */
    long freeMark() {
        return frees;
    }

    /**
     * The units freed at or before {@code mark} and not reusable yet; {@link #release} them once a flush
     * begun after the mark has ended. A unit released since the mark is not among them, even if it was
     * freed again: a flush that began before its new free does not cover it (and a discard for the old
     * free would wipe whatever the unit holds now).
     */
    BitSet freedBy(long mark) {
        BitSet out = new BitSet();
        for (int u = pending.nextSetBit(0); u >= 0; u = pending.nextSetBit(u + 1)) {
            if (freedAt.get(u) <= mark) {
                out.set(u);
            }
        }
        return out;
    }

    /** Units freed but not reusable yet, whenever freed. */
    boolean isPending(long unit) {
        return pending.get((int) unit);
    }

    void release(BitSet units) {
        pending.andNot(units);
        units.stream().forEach(freedAt::remove);
    }

    long usedUnits() {
        return used.cardinality();
    }

    long unavailableUnits() {
        BitSet all = (BitSet) used.clone();
        all.or(pending);
        return all.cardinality();
    }

    boolean isUsed(long unit) {
        return used.get((int) unit);
    }

    /** The changes that rebuild this state from nothing: what a checkpoint stores. */
    List<Change> snapshot() {
        List<Change> out = new ArrayList<>();
        for (Inode f : inodes.values()) {
            out.add(f.attributes());
        }
        for (Inode f : inodes.values()) {
            f.children.forEach((name, child) -> out.add(new Change.Entry(f.id, name, child)));
            f.xattrs.forEach((name, value) -> out.add(new Change.Xattr(f.id, name, value)));
            f.units.forEachFrom(0, (index, unit) -> out.add(new Change.Unit(f.id, index, unit)));
            for (long b = f.written.nextSetBit(0); b >= 0; ) {
                long end = Math.min(f.written.nextClearBit(b), b + 4096);
                int[] run = f.crcs.range(b, end);
                out.add(new Change.Checksums(f.id, b, run));
                b = f.written.nextSetBit(end);
            }
            // A block whose last write may not be on the device keeps its earlier checksum acceptable.
            f.previous.forEach((block, before) -> out.add(new Change.Earlier(f.id, block, before)));
        }
        return out;
    }
}
