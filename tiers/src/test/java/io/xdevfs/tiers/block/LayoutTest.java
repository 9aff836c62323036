package io.xdevfs.tiers.block;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-device formats and the metadata state, without a device: layout math, checksums, replay. */
class LayoutTest {
    private static final Geometry G = Geometry.plan(1L << 30, 512, 1 << 20);

    @Test
    void regionsNeverOverlapAndUnitsFitTheDevice() {
        Random rnd = new Random(1);
        for (int i = 0; i < 2000; i++) {
            int unit = 1 << (20 + rnd.nextInt(5));
            long size = (64L << 20) + (long) (rnd.nextDouble() * (4L << 40));
            Geometry g;
            try {
                g = Geometry.plan(size, rnd.nextBoolean() ? 512 : 4096, unit);
            } catch (IllegalArgumentException tooSmall) {
                continue;
            }
            assertTrue(g.superblockOffset(1) + Geometry.SUPERBLOCK_BYTES <= g.slotOffset(0));
            assertEquals(g.slotOffset(0) + g.slotBytes(), g.slotOffset(1));
            assertEquals(g.slotOffset(1) + g.slotBytes(), g.journalOffset());
            assertTrue(g.journalOffset() + g.journalBytes() <= g.dataStart());
            assertEquals(0, g.dataStart() % unit);
            assertTrue(g.unitOffset(g.units()) <= size, "last unit ends inside the device");
            assertTrue(g.units() >= Geometry.MIN_UNITS);
            long block = rnd.nextInt(1 << 20);
            long physical = rnd.nextInt((int) Math.min(Integer.MAX_VALUE, g.units()));
            long at = g.blockOffset(physical, block);
            assertTrue(at >= g.unitOffset(physical) && at + Geometry.BLOCK <= g.unitOffset(physical + 1));
            assertEquals(0, at % 4096);
        }
        assertThrows(IllegalArgumentException.class, () -> Geometry.plan(20L << 20, 512, 1 << 20), "too small");
        assertThrows(IllegalArgumentException.class, () -> Geometry.plan(1L << 30, 1024, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> Geometry.plan(1L << 30, 512, 3 << 20));
    }

    @Test
    void theNewerValidSuperblockWinsAndEveryBitFlipIsCaught() {
        Superblock a = new Superblock(6, UUID.randomUUID(), "wal", G).withFiles("compressed");
        Superblock b = a.next();
        Superblock.Result ra = Superblock.decode(a.encode());
        Superblock.Result rb = Superblock.decode(b.encode());
        assertEquals(b, Superblock.newest(ra, rb).orElseThrow());
        assertEquals(b, Superblock.newest(rb, ra).orElseThrow());
        byte[] bytes = b.encode().array();
        int covered = 8 + 4 + 8 + 16 + 8 + 4 + 4 + 8 + 8 + 4 + 3 + 4 + 10 + 4;
        for (int bit = 0; bit < covered * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            Superblock.Result damaged = Superblock.decode(ByteBuffer.wrap(flipped));
            assertNull(damaged.superblock(), "bit " + bit);
            assertEquals(a, Superblock.newest(ra, damaged).orElseThrow(), "the other copy wins: bit " + bit);
        }
        assertTrue(Superblock.newest(Superblock.decode(ByteBuffer.allocate(4096)), Superblock.decode(ByteBuffer.allocate(4096)))
                .isEmpty());
    }

    /** A superblock of layout 1 (before the files' format was recorded) reads as not yet decided. */
    @Test
    void aLayoutOneSuperblockReadsWithTheFilesUndecided() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer v1 = ByteBuffer.allocate(Geometry.SUPERBLOCK_BYTES);
        v1.putLong(Superblock.MAGIC).putInt(1).putLong(9).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).putLong(G.deviceBytes()).putInt(G.sectorSize())
                .putInt(G.unitSize()).putLong(G.slotBytes()).putLong(G.journalBytes()).putInt(3).put("wal".getBytes());
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v1.array(), 0, v1.position());
        v1.putInt((int) crc.getValue());
        Superblock read = Superblock.decode(v1.clear()).superblock();
        assertEquals(new Superblock(9, uuid, "wal", G, ""), read);
        assertEquals(read.withFiles("raw"), Superblock.decode(read.withFiles("raw").encode()).superblock());
        ByteBuffer newer = read.encode();
        newer.putInt(8, Superblock.VERSION + 1);
        assertTrue(Superblock.decode(newer).problem().contains("layout version 3"), Superblock.decode(newer).problem());
    }

    private static List<Change> sampleChanges() {
        return List.of(
                new Change.Attributes(1, 040755, 0, 0, 3, 0, 0, 1, 2, 3, 4, 5, 6, ""),
                new Change.Attributes(2, 0100644, 1000, 1000, 1, 9000, 0, 1, 2, 3, 4, 5, 6, ""),
                new Change.Attributes(3, 0120777, 0, 0, 1, 5, 0, 1, 2, 3, 4, 5, 6, "f\u00ffile"),
                new Change.Attributes(4, 040700, 0, 0, 2, 0, 0, 1, 2, 3, 4, 5, 6, ""),
                new Change.Entry(1, "wal", 2),
                new Change.Entry(1, "link", 3),
                new Change.Entry(1, "dir", 4),
                new Change.Unit(2, 0, 7),
                new Change.Unit(2, 1, 8),
                new Change.Checksums(2, 0, new int[] {11, 12, 13}),
                new Change.Checksums(2, 1, new int[] {22}),
                new Change.Unwritten(2, 2, 1),
                new Change.Xattr(2, "user.k", new byte[] {1, 2, 3}),
                new Change.Xattr(2, "user.gone", null),
                new Change.Dirty(7),
                new Change.Earlier(2, 0, Change.UNWRITTEN),
                new Change.Cut(2, 300),
                new Change.Attributes(5, 0100600, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, ""),
                new Change.Delete(5));
    }

    @Test
    void everyBitFlipOfAJournalFrameEndsReplay() {
        List<Change> changes = sampleChanges();
        ByteBuffer frame = ByteBuffer.allocate(Frames.JOURNAL_HEADER + Frames.bodySize(changes));
        Frames.journalFrame(frame, 42, 9, 17, changes);
        byte[] bytes = frame.array();
        assertEquals(changes.size(), readFrame(bytes).size());
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertNull(readFrame(flipped), "bit " + bit);
        }
    }

    private static List<Change> readFrame(byte[] bytes) {
        Frames.Header h = Frames.Header.read(ByteBuffer.wrap(bytes, 0, Frames.JOURNAL_HEADER).slice(), 42, 9, 17,
                bytes.length);
        if (h == null || h.bodyLength() != bytes.length - Frames.JOURNAL_HEADER) {
            return null;
        }
        return h.changes(ByteBuffer.wrap(bytes, Frames.JOURNAL_HEADER, h.bodyLength()).slice());
    }

    @Test
    void everyBitFlipOfACheckpointIsCaught() {
        byte[] bytes = new byte[(int) Frames.CHECKPOINT_HEADER + Frames.bodySize(sampleChanges()) + 64];
        ByteBuffer cp = Frames.checkpoint(42, 9, sampleChanges());
        cp.get(bytes, 0, cp.remaining());
        assertNotNull(Frames.readCheckpoint(ByteBuffer.wrap(bytes), 42, 9));
        assertNull(Frames.readCheckpoint(ByteBuffer.wrap(bytes), 42, 10), "another epoch");
        assertNull(Frames.readCheckpoint(ByteBuffer.wrap(bytes), 43, 9), "another volume");
        for (int bit = 0; bit < (bytes.length - 64) * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertNull(Frames.readCheckpoint(ByteBuffer.wrap(flipped), 42, 9), "bit " + bit);
        }
    }

    @Test
    void replayingTwiceLeavesWhatReplayingOnceDoes() {
        MetaState once = new MetaState(G);
        sampleChanges().forEach(once::apply);
        MetaState twice = new MetaState(G);
        sampleChanges().forEach(twice::apply);
        sampleChanges().forEach(twice::apply);
        assertArrayEquals(encoded(once), encoded(twice));
        // and a checkpoint of the state rebuilds it exactly
        MetaState loaded = new MetaState(G);
        loaded.load(once.snapshot());
        assertArrayEquals(encoded(once), encoded(loaded));
        assertEquals(Set.of(0L, 1L), loaded.inode(2).previous.keySet(), "earlier checksums survive a checkpoint");
    }

    private static byte[] encoded(MetaState s) {
        ByteBuffer b = Frames.checkpoint(1, 1, s.snapshot());
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * A flush that began before a unit was released, reused and freed again covers none of that: what
     * it releases must leave the unit pending (with enable_trim its discard would wipe the unit's bytes).
     */
    @Test
    void aFlushReleasesOnlyTheFreesItCovers() {
        MetaState s = new MetaState(G);
        s.apply(new Change.Attributes(2, 0100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ""));
        s.goLive();
        long u = s.allocate(0, Set.of());
        s.apply(new Change.Unit(2, 0, u));
        s.apply(new Change.Unit(2, 0, -1));
        long slowFlush = s.freeMark(); // a flush begins, and takes its time
        s.release(s.freedBy(s.freeMark())); // another flush began later and ended first
        assertEquals(u, s.allocate(u, Set.of()), "the unit is reusable");
        s.apply(new Change.Unit(2, 0, u));
        assertTrue(s.freedBy(slowFlush).isEmpty(), "a unit in use again is not the slow flush's to release");
        s.apply(new Change.Unit(2, 0, -1));
        assertTrue(s.freedBy(slowFlush).isEmpty(), "nor is its new free, which that flush does not cover");
        assertTrue(s.freedBy(s.freeMark()).get((int) u), "a flush begun now covers it");
    }

    @Test
    void theAllocatorNeverHandsOutAUnitInUseTakenOrAwaitingAFlush() {
        MetaState s = new MetaState(G);
        s.apply(new Change.Attributes(2, 0100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, ""));
        s.goLive();
        Random rnd = new Random(3);
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (!mine.isEmpty() && rnd.nextInt(3) == 0) {
                int index = rnd.nextInt(mine.size());
                s.apply(new Change.Unit(2, index, -1));
                mine.set(index, -1L);
                if (rnd.nextBoolean()) {
                    s.release(s.freedBy(s.freeMark()));
                }
                continue;
            }
            long u = s.allocate(rnd.nextInt((int) G.units()), Set.of());
            if (u < 0) {
                s.release(s.freedBy(s.freeMark()));
                continue;
            }
            assertTrue(!s.isUsed(u) && !s.isPending(u), "unit " + u);
            assertNotEquals(u, s.allocate(u, Set.of(u)), "a unit the operation took");
            s.apply(new Change.Unit(2, mine.size(), u));
            mine.add(u);
        }
        assertEquals(mine.stream().filter(u -> u >= 0).count(), s.usedUnits());
    }
}
