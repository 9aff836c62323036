package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.format.HoleMath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage_type = sparse: zero blocks become holes, every byte reads back as written. */
class SparseContentTest extends OneVolumePerTest {
    static final int MIB = 1 << 20;

    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.SPARSE);
    }

    private static byte[] readAll(Content c, int size) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        assertEquals(size, c.read(buf, 0));
        byte[] out = new byte[size];
        buf.flip().get(out);
        return out;
    }

    @Test
    void aZeroFilledWalSegmentOccupiesNearlyNothing() throws Exception {
        try (Content c = volume.create("/000000010000000000000001", Flags.O_RDWR, 0600, null)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(8192);
            for (long off = 0; off < 16 * MIB; off += 8192) {
                zeros.clear();
                c.write(zeros, off);
            }
            c.sync(true);
            assertEquals(16 * MIB, c.attributes().size);
            assertTrue(allocated(c) <= 64 * 1024, "allocated " + allocated(c));
            assertArrayEquals(new byte[16 * MIB], readAll(c, 16 * MIB));
        }
    }

    @Test
    void mixedWritesReadBackExactlyAndOnlyZeroBlocksBecomeHoles() throws Exception {
        Random rnd = new Random(11);
        byte[] model = new byte[4 * MIB];
        try (Content c = volume.create("/mixed", Flags.O_RDWR, 0600, null)) {
            for (int i = 0; i < 400; i++) {
                int off = rnd.nextInt(model.length - 70_000);
                byte[] data = new byte[1 + rnd.nextInt(65_536)];
                rnd.nextBytes(data);
                for (int z = 0; z < data.length; z += 4096) { // zero some whole and some partial blocks
                    if (rnd.nextInt(3) == 0) {
                        Arrays.fill(data, z, Math.min(data.length, z + 4096 + rnd.nextInt(100) - 50), (byte) 0);
                    }
                }
                if (rnd.nextInt(5) == 0) {
                    data[rnd.nextInt(data.length)] = 1; // a single non-zero byte in a zero block must survive
                }
                c.write(ByteBuffer.wrap(data), off);
                System.arraycopy(data, 0, model, off, data.length);
            }
            int size = (int) c.attributes().size;
            assertArrayEquals(Arrays.copyOf(model, size), readAll(c, size));
        }
    }

    @Test
    void punchHoleAndZeroRangeAreSupported() throws Exception {
        try (Content c = volume.create("/f", Flags.O_RDWR, 0600, null)) {
            byte[] ones = new byte[MIB];
            Arrays.fill(ones, (byte) 1);
            c.write(ByteBuffer.wrap(ones), 0);
            c.allocate(Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, 0, MIB / 2);
            c.allocate(Flags.FALLOC_FL_ZERO_RANGE, MIB / 2, 4096);
            byte[] back = readAll(c, MIB);
            byte[] expected = ones.clone();
            Arrays.fill(expected, 0, MIB / 2 + 4096, (byte) 0);
            assertArrayEquals(expected, back);
            assertEquals(MIB, c.attributes().size);
            PosixException e = assertThrows(PosixException.class, () -> c.allocate(Flags.FALLOC_FL_PUNCH_HOLE, 0, 4096));
            assertEquals(Errno.EOPNOTSUPP, e.errno(), "PUNCH_HOLE needs KEEP_SIZE, as in fallocate(2)");
        }
    }

    @Test
    void concurrentAppendsOfDataAndZerosThroughTwoHandlesLoseNothing() throws Exception {
        int slot = 64 * 1024;
        int slots = 200;
        byte[] data = new byte[slot];
        Arrays.fill(data, (byte) 7);
        try (Content a = volume.create("/shared", Flags.O_RDWR, 0600, null);
             Content b = volume.open("/shared", Flags.O_RDWR)) {
            Thread zeros = new Thread(() -> {
                try {
                    for (int i = 1; i < slots; i += 2) {
                        b.write(ByteBuffer.allocateDirect(slot), (long) i * slot);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            zeros.start();
            for (int i = 0; i < slots; i += 2) {
                a.write(ByteBuffer.wrap(data), (long) i * slot);
            }
            zeros.join();
            assertEquals((long) slots * slot, a.attributes().size);
            byte[] all = readAll(a, slots * slot);
            for (int i = 0; i < slots; i++) {
                byte want = i % 2 == 0 ? (byte) 7 : 0;
                for (int j = 0; j < slot; j++) {
                    if (all[i * slot + j] != want) {
                        throw new AssertionError("slot " + i + " byte " + j + " is " + all[i * slot + j]);
                    }
                }
            }
        }
    }

    /** fio, for one, preallocates a file before writing it: zeros written there must not undo that. */
    @Test
    void zerosOverSpaceReservedByFallocateKeepTheReservation() throws Exception {
        try (Content c = volume.create("/reserved", Flags.O_RDWR, 0600, null)) {
            c.allocate(0, 0, 4 * MIB);
            long reserved = allocated(c);
            assertTrue(reserved >= 4 * MIB, "fallocate reserved " + reserved);
            for (long off = 0; off < 4 * MIB; off += 128 * 1024) {
                c.write(ByteBuffer.allocateDirect(128 * 1024), off);
            }
            c.sync(true);
            assertEquals(reserved, allocated(c), "the zeros gave the reservation back");
            assertEquals(4 * MIB, c.attributes().size);
            assertArrayEquals(new byte[4 * MIB], readAll(c, 4 * MIB));
        }
    }

    @Test
    void zerosOverWrittenDataBecomeHolesAndReadAsZeros() throws Exception {
        try (Content c = volume.create("/overwritten", Flags.O_RDWR, 0600, null)) {
            c.allocate(0, 0, 2 * MIB);
            byte[] ones = new byte[MIB];
            Arrays.fill(ones, (byte) 1);
            c.write(ByteBuffer.wrap(ones), MIB / 2); // data in the middle of the reserved range
            c.sync(true);
            long before = allocated(c);
            c.write(ByteBuffer.allocateDirect(2 * MIB), 0); // zeros over reserved space and data alike
            c.sync(true);
            assertArrayEquals(new byte[2 * MIB], readAll(c, 2 * MIB));
            assertTrue(allocated(c) <= before - MIB,
                    "the written MiB was not punched: " + before + " -> " + allocated(c));
        }
    }

    private static long allocated(Content c) throws IOException {
        return c.attributes().blocks * 512;
    }

    @Test
    void holeMathRoundsToBlocks() {
        assertEquals(8192, HoleMath.roundUp(4097, 4096));
        assertEquals(4096, HoleMath.roundUp(4096, 4096));
        assertEquals(4096, HoleMath.roundDown(8191, 4096));
        assertEquals(0, HoleMath.roundDown(4095, 4096));
    }
}
