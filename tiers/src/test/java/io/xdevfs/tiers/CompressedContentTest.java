package io.xdevfs.tiers;

import io.xdevfs.codecs.Codecs;
import io.xdevfs.codecs.CorruptDataException;
import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.compressed.LogFormat;
import io.xdevfs.tiers.directory.DirectoryVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** storage_type = compressed without a mount: a byte model, crashes, corruption, the WAL pattern. */
class CompressedContentTest {
    @TempDir
    Path tmp;
    private final List<Volume> volumes = new ArrayList<>();

    /** A new volume over the same base; the earlier ones are left as a killed daemon leaves its own. */
    private Volume volume(String codec, int chunk, long cache) throws Exception {
        volumes.forEach(earlier -> ((DirectoryVolume) earlier).abandon());
        Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withStorageType(StorageType.COMPRESSED)
                .withCompression(new CompressionSettings(Codecs.byName(codec).orElseThrow(),
                        Codecs.byName(codec).orElseThrow().defaultLevel(), 256, true, chunk))
                .withCache(new CacheSettings(cache > 0, false, cache, 0)));
        volumes.add(v);
        return v;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Volume v : volumes) {
            v.close();
        }
    }

    static byte[] text(Random rnd, int n) {
        String[] words = {"BEGIN; ", "INSERT INTO t VALUES (", "); ", "COMMIT;\n", "UPDATE t SET v = v + 1 WHERE id = "};
        StringBuilder b = new StringBuilder(n + 64);
        while (b.length() < n) {
            b.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(1000));
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), n);
    }

    static byte[] data(Random rnd, int n) {
        switch (rnd.nextInt(3)) {
            case 0:
                return text(rnd, n);
            case 1:
                return new byte[n];
            default:
                byte[] b = new byte[n];
                rnd.nextBytes(b);
                return b;
        }
    }

    static byte[] read(Content c, long offset, int n) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(n);
        int got = c.read(buf, offset);
        byte[] out = new byte[got];
        buf.flip().get(out);
        return out;
    }

    static void write(Content c, byte[] bytes, long offset) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        buf.put(bytes).flip();
        assertEquals(bytes.length, c.write(buf, offset));
    }

    /** A growable byte array: what a correct file holds. */
    static final class Model {
        byte[] bytes = new byte[0];

        void write(byte[] b, long off) {
            if (off + b.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) off + b.length);
            }
            System.arraycopy(b, 0, bytes, (int) off, b.length);
        }

        void truncate(long size) {
            bytes = Arrays.copyOf(bytes, (int) size);
        }
    }

    @ParameterizedTest(name = "cache {0}")
    @ValueSource(longs = {0, 1 << 20})
    void randomOperationsMatchAModelAcrossReopens(long cache) throws Exception {
        Volume v = volume("lz4", 4096, cache);
        Random rnd = new Random(42 + cache);
        Model m = new Model();
        Content c = v.create("/f", Flags.O_RDWR, 0644, null);
        Content appender = v.open("/f", Flags.O_WRONLY | Flags.O_APPEND);
        for (int op = 0; op < 3000; op++) {
            int kind = rnd.nextInt(100);
            if (kind < 45) {
                long off = rnd.nextInt(rnd.nextBoolean() ? 40_000 : m.bytes.length + 1);
                byte[] b = data(rnd, 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 20_000 : 3000));
                write(c, b, off);
                m.write(b, off);
            } else if (kind < 55) {
                byte[] b = data(rnd, 1 + rnd.nextInt(700));
                write(appender, b, 0); // O_APPEND: the offset is ignored
                m.write(b, m.bytes.length);
            } else if (kind < 62) {
                long size = rnd.nextInt(m.bytes.length + 10_000);
                c.truncate(size);
                m.truncate(size);
            } else if (kind < 66) {
                c.sync(rnd.nextBoolean());
            } else if (kind < 68) {
                c.close();
                appender.close();
                assertEquals(m.bytes.length, v.getattr("/f").size, "closed-file size at op " + op);
                c = v.open("/f", rnd.nextBoolean() ? Flags.O_RDWR : Flags.O_WRONLY);
                appender = v.open("/f", Flags.O_WRONLY | Flags.O_APPEND);
            } else {
                long off = rnd.nextInt(m.bytes.length + 100);
                int n = rnd.nextInt(30_000);
                byte[] want = Arrays.copyOfRange(m.bytes, (int) Math.min(off, m.bytes.length),
                        (int) Math.min(off + n, m.bytes.length));
                Content reader = rnd.nextBoolean() ? c : v.open("/f", Flags.O_RDONLY);
                try {
                    assertArrayEquals(want, read(reader, off, n), "op " + op + " read " + off + "+" + n);
                } finally {
                    if (reader != c) {
                        reader.close();
                    }
                }
            }
            if (op % 100 == 0) {
                assertEquals(m.bytes.length, c.attributes().size);
                assertEquals(m.bytes.length, v.getattr("/f").size);
            }
        }
        c.close();
        appender.close();
        // A remount comes after the previous daemon finished: its compactor may still be rewriting the log.
        ((DirectoryVolume) v).awaitBackgroundWork();
        try (Content again = volume("lz4", 65536, cache).open("/f", Flags.O_RDONLY)) { // a remount
            assertArrayEquals(m.bytes, read(again, 0, m.bytes.length + 1));
        }
    }

    /**
     * A sequential reader decodes whole single-record chunks straight into its buffer: every shape
     * around that path (a patched chunk, a hole, a short last chunk, reads not on chunk boundaries)
     * still reads exactly.
     */
    @Test
    void sequentialReadsMatchWhateverShapeTheChunksHave() throws Exception {
        Volume v = volume("lz4", 16 * 1024, 1 << 20);
        Random rnd = new Random(3);
        byte[] model = text(rnd, 20 * 16 * 1024 + 777);
        try (Content c = v.create("/seq", Flags.O_RDWR, 0644, null)) {
            for (int off = 0; off < model.length; off += 16 * 1024) {
                write(c, Arrays.copyOfRange(model, off, Math.min(model.length, off + 16 * 1024)), off);
            }
            byte[] patch = text(rnd, 100);
            write(c, patch, 5 * 16 * 1024 + 50); // chunk 5 in two pieces
            System.arraycopy(patch, 0, model, 5 * 16 * 1024 + 50, patch.length);
            c.truncate(model.length + 3 * 16 * 1024); // a hole of whole chunks at the end
            model = Arrays.copyOf(model, model.length + 3 * 16 * 1024);
        }
        for (int step : new int[]{16 * 1024, 32 * 1024, 5000}) {
            try (Content c = v.open("/seq", Flags.O_RDONLY)) {
                for (int off = 0; off < model.length; off += step) {
                    int n = Math.min(step, model.length - off);
                    assertArrayEquals(Arrays.copyOfRange(model, off, off + n), read(c, off, step), "step " + step + " at " + off);
                }
            }
        }
    }

    /**
     * The times a program sets stay: cp -p and tar set them through the handle before the close, and
     * the close starts housekeeping (rewriting a file written in small pieces as whole chunks) that
     * writes the backing file; a utimensat by name may come while it runs.
     */
    @Test
    void housekeepingAfterTheCloseKeepsTheTimesSet() throws Exception {
        Volume v = volume("lz4", 65536, 0);
        Random rnd = new Random(11);
        for (int k = 0; k < 2; k++) {
            String path = "/pieces" + k;
            try (Content c = v.create(path, Flags.O_WRONLY, 0644, null)) {
                for (int i = 0; i < 64; i++) {
                    c.write(ByteBuffer.wrap(data(rnd, 4096)), i * 4096L);
                }
                if (k == 0) {
                    c.changeMetadata(new MetadataChange.Times(0, Flags.UTIME_OMIT, 1_000_000_000L, 5));
                }
            }
            if (k == 1) {
                v.utimens(path, 0, Flags.UTIME_OMIT, 1_000_000_000L, 5);
            }
            ((DirectoryVolume) v).awaitBackgroundWork();
            assertEquals(1_000_000_000L, v.getattr(path).mtimeSec, path);
            assertEquals(5, v.getattr(path).mtimeNsec, path);
        }
    }

    /**
     * A stat that reads the backing file while housekeeping has rewritten a closed file and not yet put
     * its mtime back shows the kept mtime, not the rewrite's: CompressedIT saw the rewrite's once on a
     * loaded machine (the stat read the mtime without the file's lock, then waited for it only for the
     * size). Here the compactor's restore is held until the stat has read the backing file.
     */
    @Test
    void aStatDuringHousekeepingShowsTheKeptTime() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch restoring = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch statted = new java.util.concurrent.CountDownLatch(1);
        io.xdevfs.posix.Posix holding = new io.xdevfs.posix.ForwardingPosix(io.xdevfs.posix.Posix.get()) {
            @Override
            public void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
                    throws io.xdevfs.posix.PosixException {
                if (Thread.currentThread().getName().startsWith("xdevfs-compactor") && armed.getAndSet(false)) {
                    restoring.countDown(); // the rewrite is written; its mtime is on the backing file now
                    try {
                        statted.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.futimens(fd, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            }
        };
        Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("held"))
                .withStorageType(StorageType.COMPRESSED), holding);
        volumes.add(v);
        Random rnd = new Random(12);
        Content c = v.create("/pieces", Flags.O_WRONLY, 0644, null);
        for (int i = 0; i < 64; i++) {
            c.write(ByteBuffer.wrap(data(rnd, 4096)), i * 4096L);
        }
        c.changeMetadata(new MetadataChange.Times(0, Flags.UTIME_OMIT, 1_000_000_000L, 5));
        armed.set(true);
        Thread closing = new Thread(() -> { // the close waits for the file's lock too (its size, for stat)
            try {
                c.close(); // leaves the rewrite of the pieces as whole chunks to the compactor
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        closing.start();
        assertTrue(restoring.await(10, java.util.concurrent.TimeUnit.SECONDS), "no housekeeping after the close");
        java.util.concurrent.CompletableFuture<io.xdevfs.posix.Stat> stat = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return v.getattr("/pieces");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        Thread.sleep(300); // the stat has read the backing file (and waits for the lock, if it takes it)
        statted.countDown();
        io.xdevfs.posix.Stat st = stat.get(10, java.util.concurrent.TimeUnit.SECONDS);
        closing.join(10_000);
        assertEquals(1_000_000_000L, st.mtimeSec, "a stat between the rewrite and the restore");
        assertEquals(5, st.mtimeNsec);
        ((DirectoryVolume) v).awaitBackgroundWork();
        assertEquals(1_000_000_000L, v.getattr("/pieces").mtimeSec);
    }

    @Test
    void duShowsTheSavingsAndStatTheLogicalSize() throws Exception {
        Volume v = volume("zstd", 65536, 0);
        byte[] t = text(new Random(1), 4 << 20);
        try (Content c = v.create("/wal", Flags.O_WRONLY, 0644, null)) {
            for (int off = 0; off < t.length; off += 131072) {
                write(c, Arrays.copyOfRange(t, off, off + 131072), off);
            }
            c.sync(false);
            assertEquals(t.length, c.attributes().size);
        }
        var st = v.getattr("/wal");
        assertEquals(t.length, st.size);
        assertTrue(st.blocks * 512 < t.length / 3, "allocated " + st.blocks * 512);
        assertTrue(Files.size(tmp.resolve("base/wal")) < t.length / 3);
        try (Content c = v.open("/wal", Flags.O_RDONLY)) {
            assertArrayEquals(t, read(c, 0, t.length));
        }
    }

    /**
     * The WAL pattern: 8 KiB appends, each followed by fdatasync. Each costs one small record, never a
     * recompression of its chunk; after the writer closes, the chunks are consolidated in the background
     * and the file occupies about what whole compressed chunks would.
     */
    @Test
    void smallSyncedAppendsStayCheapAndGarbageIsPunched() throws Exception {
        Volume v = volume("lz4", 65536, 64 << 20);
        DirectoryVolume dv = (DirectoryVolume) v;
        byte[] t = text(new Random(2), 2 << 20);
        try (Content c = v.create("/seg", Flags.O_WRONLY | Flags.O_APPEND, 0644, null)) {
            for (int off = 0; off < t.length; off += 8192) {
                long rawBefore = dv.compressionStats().orElseThrow().rawBytes();
                write(c, Arrays.copyOfRange(t, off, off + 8192), 0);
                long compressed = dv.compressionStats().orElseThrow().rawBytes() - rawBefore;
                assertEquals(8192, compressed, "bytes compressed by the append at " + off);
                c.sync(true);
            }
            assertTrue(v.getattr("/seg").blocks * 512 > t.length / 4, "pieces of 8 KiB compress less");
        }
        dv.awaitBackgroundWork(); // the last writer closed: its chunks are consolidated, the pieces punched
        long allocated = v.getattr("/seg").blocks * 512;
        assertTrue(allocated < t.length / 2, "allocated " + allocated + " for " + t.length);
        try (Content c = v.open("/seg", Flags.O_RDONLY)) {
            assertArrayEquals(t, read(c, 0, t.length));
        }
    }

    /**
     * kill -9 keeps every completed write; a power cut may tear or zero the unsynced tail. Either way
     * the file reopens to a state that existed at or after the last sync, never an unreadable one.
     */
    @Test
    void aTornOrZeroedTailRecoversToAStateAfterTheLastSync() throws Exception {
        Random rnd = new Random(9);
        for (int trial = 0; trial < 40; trial++) {
            Volume v = volume("lz4", 4096, 1 << 20);
            String name = "/crash" + trial;
            Path backing = tmp.resolve("base" + name);
            List<byte[]> states = new ArrayList<>();
            Model m = new Model();
            long syncedLog = 0;
            int syncedState = 0;
            Content dying = v.create(name, Flags.O_RDWR, 0644, null); // never closed: the daemon dies with it open
            {
                for (int op = 0; op < 60; op++) {
                    if (rnd.nextInt(10) == 0) {
                        long size = rnd.nextInt(m.bytes.length + 5000);
                        dying.truncate(size);
                        m.truncate(size);
                    } else {
                        long chunk = rnd.nextInt(8);
                        int from = rnd.nextInt(4096);
                        byte[] b = data(rnd, 1 + rnd.nextInt(4096 - from)); // one chunk: one record
                        write(dying, b, chunk * 4096 + from);
                        m.write(b, chunk * 4096 + from);
                    }
                    states.add(m.bytes.clone());
                    if (rnd.nextInt(8) == 0) {
                        dying.sync(true);
                        syncedLog = Files.size(backing);
                        syncedState = states.size() - 1;
                    }
                }
            }
            long end = Files.size(backing);
            long cut = syncedLog + (long) (rnd.nextDouble() * (end - syncedLog));
            try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
                if (rnd.nextBoolean()) {
                    f.setLength(cut);
                } else {
                    f.seek(cut);
                    f.write(new byte[(int) (end - cut)]);
                }
            }
            Volume after = volume("lz4", 4096, 1 << 20); // a new daemon: nothing cached
            byte[] got;
            try (Content c = after.open(name, Flags.O_RDWR)) {
                got = read(c, 0, 1 << 20);
                write(c, new byte[] {1, 2, 3}, got.length); // appending after recovery works
            }
            boolean matched = false;
            for (int s = Math.max(0, syncedState); s < states.size() && !matched; s++) {
                matched = Arrays.equals(states.get(s), got);
            }
            if (!matched && !(syncedLog == 0 && got.length == 0)) {
                fail("trial " + trial + ": after a cut at " + cut + " of " + end + " (synced " + syncedLog
                        + ") the file matches no state since the last sync");
            }
            try (Content c = after.open(name, Flags.O_RDONLY)) {
                byte[] grown = read(c, 0, 1 << 20);
                assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(grown, got.length, grown.length));
            }
        }
    }

    /** A flipped byte in one stored record: that chunk is EIO, every other chunk still reads. */
    @Test
    void aCorruptFrameFailsOnlyItsChunk() throws Exception {
        Volume v = volume("lz4", 4096, 0);
        byte[] t = text(new Random(5), 4 * 4096);
        try (Content c = v.create("/x", Flags.O_WRONLY, 0644, null)) {
            for (int i = 0; i < 4; i++) {
                write(c, Arrays.copyOfRange(t, i * 4096, (i + 1) * 4096), i * 4096);
            }
        }
        Path backing = tmp.resolve("base/x");
        byte[] log = Files.readAllBytes(backing);
        ByteBuffer b = ByteBuffer.wrap(log);
        long pos = LogFormat.FILE_HEADER;
        LogFormat.RecordHeader second = null;
        for (int i = 0; i < 2; i++) {
            second = LogFormat.recordHeader(b, (int) pos, 4096);
            if (i == 0) {
                pos += second.length();
            }
        }
        log[(int) pos + LogFormat.RECORD_HEADER + 30] ^= 0x10;
        Files.write(backing, log);
        Volume fresh = volume("lz4", 4096, 0);
        try (Content c = fresh.open("/x", Flags.O_RDONLY)) {
            assertArrayEquals(Arrays.copyOfRange(t, 0, 4096), read(c, 0, 4096));
            assertThrows(CorruptDataException.class, () -> read(c, 4096 + 100, 10));
            assertArrayEquals(Arrays.copyOfRange(t, 8192, 16384), read(c, 8192, 8192));
        }
    }

    /** Readers never see a block older than the last completed write of it, nor a torn one. */
    @Test
    void concurrentReadersAndWritersSeeCoherentBlocks() throws Exception {
        BlockHammer.run(volume("lz4", 16384, 1 << 20), "/h", 64, 1024, 3000);
    }
}
