package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.VolumeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the files of a block volume store their bytes (raw, compressed, sparse): a format sits over the
 * volume's files, the superblock records which at the first mount, and a mount that would read them
 * another way is refused with nothing changed.
 */
class FilesOnTheDeviceTest {
    private static final int SIZE = 8 << 20;

    @TempDir
    Path tmp;

    private static LocalConfig config(Path device, StorageType files) {
        return LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4, files));
    }

    /** Pages half random bytes, half zeros: about 2x compressible. */
    private static byte[] halfRandom(int size) {
        byte[] b = new byte[size];
        java.util.Random rnd = new java.util.Random(11);
        for (int off = 0; off < size; off += 8192) {
            byte[] half = new byte[4096];
            rnd.nextBytes(half);
            System.arraycopy(half, 0, b, off, 4096);
        }
        return b;
    }

    /** 8 MiB of text that compresses well and differs line by line. */
    private static byte[] text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < SIZE; i++) {
            b.append("LSN ").append(i).append(": INSERT INTO accounts VALUES (").append(i % 977).append(", 'x');\n");
        }
        return b.substring(0, SIZE).getBytes(StandardCharsets.US_ASCII);
    }

    private static void write(Volume v, String path, byte[] data) throws Exception {
        try (Content c = v.create(path, Flags.O_WRONLY, 0644, null)) {
            for (int off = 0; off < data.length; off += 128 << 10) {
                c.write(ByteBuffer.wrap(data, off, Math.min(128 << 10, data.length - off)), off);
            }
            c.sync(false);
        }
    }

    private static byte[] read(Volume v, String path, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (Content c = v.open(path, Flags.O_RDONLY)) {
            c.read(b, 0);
        }
        return b.array();
    }

    @Test
    void compressedFilesTakeLessOfTheDeviceAndReadBackExactly() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        byte[] data = text();
        long unitsBefore;
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.COMPRESSED), true)) {
            unitsBefore = v.state.usedUnits();
            write(v, "/000000010000000000000001", data);
            v.drainFormat();
            Stat st = v.getattr("/000000010000000000000001");
            assertEquals(SIZE, st.size, "stat shows the logical size");
            assertTrue(st.blocks * 512 <= SIZE / 4, "st_blocks counts what the device holds: " + st.blocks * 512);
            assertTrue(v.state.usedUnits() - unitsBefore <= 2, "units used: " + (v.state.usedUnits() - unitsBefore));
        }
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.COMPRESSED), true)) {
            assertEquals(SIZE, v.getattr("/000000010000000000000001").size, "a closed file's size after a remount");
            assertArrayEquals(data, read(v, "/000000010000000000000001", SIZE));
        }
        BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
        assertEquals(BlockCheck.CLEAN, report.exitCode(), String.join("\n", report.lines()));
    }

    /**
     * Streaming writes of a compressed file start their log batches on block boundaries: no batch
     * rewrites the block the one before it ended in, so none needs the flush that makes the first
     * overwrite in an allocation unit safe.
     */
    @Test
    void streamingCompressedWritesNeverOverwriteABlock() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        byte[] data = new byte[SIZE];
        new java.util.Random(3).nextBytes(data); // incompressible: each 1 MiB write is a batch of about 1 MiB
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.COMPRESSED), true)) {
            long flushes = v.store.flushes.get();
            try (Content c = v.create("/stream", Flags.O_WRONLY, 0644, null)) {
                for (int off = 0; off < SIZE; off += 1 << 20) {
                    c.write(ByteBuffer.wrap(data, off, 1 << 20), off);
                }
                assertEquals(flushes, v.store.flushes.get(), "flushes before any sync");
                c.sync(true);
            }
            assertArrayEquals(data, read(v, "/stream", SIZE));
        }
    }

    /**
     * Holes punched piece by piece, none covering the unit alone (a compressed log's superseded records):
     * the unit goes back once nothing written is left in it, and a block left holding only zeros reads
     * as a hole. The bytes around stay.
     */
    @Test
    void aUnitPunchedPieceByPieceIsGivenBack() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        byte[] data = new byte[3 << 20];
        new java.util.Random(5).nextBytes(data);
        int mib = 1 << 20;
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.REGULAR), true)) {
            write(v, "/log", data);
            long units = v.state.usedUnits();
            try (Content c = v.open("/log", Flags.O_RDWR)) {
                int punch = Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE;
                c.allocate(punch, mib + 100, mib / 2 - 100); // the unit's first block keeps 100 bytes
                assertEquals(units, v.state.usedUnits());
                c.allocate(punch, mib + mib / 2 + 10, mib / 2 - 10); // not adjacent: 10 bytes in between
                assertEquals(units, v.state.usedUnits());
                c.allocate(punch, mib + mib / 2, 10);
                assertEquals(units, v.state.usedUnits(), "the unit's first block still holds bytes");
                c.allocate(punch, mib, 100);
                assertEquals(units - 1, v.state.usedUnits(), "nothing written is left in the unit");
                c.sync(false);
            }
            System.arraycopy(new byte[mib], 0, data, mib, mib);
            assertArrayEquals(data, read(v, "/log", data.length));
        }
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.REGULAR), true)) {
            assertArrayEquals(data, read(v, "/log", data.length), "after a remount");
        }
        BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
        assertEquals(BlockCheck.CLEAN, report.exitCode(), String.join("\n", report.lines()));
    }

    /**
     * A compressed file rewritten page by page with a sync after each page (a recycled WAL segment):
     * once it is closed, the chunks still held in mostly superseded units are written again at the
     * log's end, so those units go back; the bytes read back exact, after a remount too.
     */
    @Test
    void aCompressedFileRewrittenPageByPageGivesItsUnitsBack() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        int size = 8 << 20;
        byte[] data = new byte[size]; // zero-filled first, as PostgreSQL prepares a segment
        byte[] pages = halfRandom(size);
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.COMPRESSED), true)) {
            long before = v.state.usedUnits();
            write(v, "/segment", data);
            try (Content c = v.open("/segment", Flags.O_WRONLY)) {
                for (int off = 0; off < size; off += 8192) {
                    c.write(ByteBuffer.wrap(pages, off, 8192), off);
                    c.sync(true);
                }
            }
            v.drainFormat();
            long units = v.state.usedUnits() - before;
            // Their compressed bytes fill 5 units, and the first holds the log's header: 6 here, 10 without
            // cleaning.
            assertTrue(units <= 7, "8 MiB of half-random pages rewritten page by page holds " + units + " units");
            assertArrayEquals(pages, read(v, "/segment", size));
        }
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.COMPRESSED), true)) {
            assertArrayEquals(pages, read(v, "/segment", size), "after a remount");
        }
        BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
        assertEquals(BlockCheck.CLEAN, report.exitCode(), String.join("\n", report.lines()));
    }

    @Test
    void aVolumeIsReadOnlyTheWayItsFilesWereWritten() throws Exception {
        Path compressed = BlockImages.formatted(tmp.resolve("compressed.img"));
        byte[] data = text();
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(compressed, StorageType.COMPRESSED), true)) {
            write(v, "/wal", data);
        }
        VolumeException refused = assertThrows(VolumeException.class,
                () -> BlockVolume.open(Posix.get(), config(compressed, StorageType.REGULAR), true));
        assertTrue(refused.getMessage().contains("holds compressed files") && refused.getMessage().contains(
                "enable_compression = true"), refused.getMessage());
        // Sparse files are raw bytes on the device: the same volume serves either way.
        Path raw = BlockImages.formatted(tmp.resolve("raw.img"));
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(raw, StorageType.SPARSE), true)) {
            write(v, "/wal", data);
        }
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(raw, StorageType.REGULAR), true)) {
            assertArrayEquals(data, read(v, "/wal", SIZE));
        }
        refused = assertThrows(VolumeException.class,
                () -> BlockVolume.open(Posix.get(), config(raw, StorageType.COMPRESSED), true));
        assertTrue(refused.getMessage().contains("holds raw files"), refused.getMessage());
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(compressed, StorageType.COMPRESSED), true)) {
            assertArrayEquals(data, read(v, "/wal", SIZE), "the refusals changed nothing");
        }
    }

    @Test
    void aSparseFileOnTheDeviceFreesItsZeroUnits() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        byte[] data = new byte[SIZE];
        byte[] text = text();
        System.arraycopy(text, 0, data, 0, 4096);
        System.arraycopy(text, 0, data, SIZE - 4096, 4096);
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(device, StorageType.SPARSE), true)) {
            long before = v.state.usedUnits();
            write(v, "/mostly-zeros", data);
            assertEquals(2, v.state.usedUnits() - before, "only the units holding data are allocated");
            assertArrayEquals(data, read(v, "/mostly-zeros", SIZE));
        }
    }
}
