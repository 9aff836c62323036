package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.FsStat;
import io.xdevfs.tiers.hybrid.HybridVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the hybrid does beyond the volume contract: a full hot tier, unlinked open files, orphans, statfs. */
class HybridVolumeTest {
    @TempDir
    Path tmp;
    FaultyPosix posix = new FaultyPosix();
    Volume volume;

    private LocalConfig config() {
        return config(64L << 20, false, 100, 60);
    }

    /** A regular hot tier and a compressed cold one, cold_timeout_sec 3600, no promotions by reads. */
    private LocalConfig config(long hotCacheSize, boolean autoMigration, int batch, int intervalSec) {
        LocalConfig d = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"));
        return d.withHybrid(new HybridSettings(d.withBaseDirectory(tmp.resolve("hot")),
                d.withBaseDirectory(tmp.resolve("cold")).withStorageType(StorageType.COMPRESSED),
                hotCacheSize, 0, 3600, autoMigration, batch, intervalSec, 64L << 20));
    }

    @AfterEach
    void close() throws IOException {
        if (volume != null) {
            volume.close();
        }
    }

    private static ByteBuffer bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private String read(String path) throws IOException {
        try (Content c = volume.open(path, Flags.O_RDONLY)) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) c.attributes().size);
            c.read(b, 0);
            return StandardCharsets.UTF_8.decode(b.flip()).toString();
        }
    }

    private void assertHolds(String path, byte[] data) throws IOException {
        try (Content c = volume.open(path, Flags.O_RDONLY)) {
            ByteBuffer b = ByteBuffer.allocateDirect(data.length);
            c.read(b, 0);
            byte[] back = new byte[data.length];
            b.flip().get(back);
            org.junit.jupiter.api.Assertions.assertArrayEquals(data, back);
        }
    }

    private String tier(String path) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(200);
        int n = volume.getxattr(path, HybridVolume.TIER_ATTRIBUTE, b);
        return StandardCharsets.UTF_8.decode(b.position(0).limit(n)).toString();
    }

    private long objects(String tierDir) throws IOException {
        try (var s = Files.list(tmp.resolve(tierDir))) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".xdevfs")).count();
        }
    }

    /** open_files and the other volume gauges count both tiers, not only the cold one. */
    @Test
    void theVolumeGaugesCountBothTiers() throws Exception {
        volume = Volumes.open(config(), posix);
        io.xdevfs.tiers.metrics.Metrics metrics = new io.xdevfs.tiers.metrics.Metrics(System::nanoTime);
        volume.registerGauges(metrics);
        long before = metrics.gauges().get("open_files").longValue();
        try (Content c = volume.create("/hot", Flags.O_WRONLY, 0644, null)) {
            c.write(bytes("in the hot tier"), 0);
            assertTrue(tier("/hot").startsWith("hot"), tier("/hot"));
            assertEquals(before + 1, metrics.gauges().get("open_files").longValue(), metrics.gauges().toString());
        }
        assertEquals(before, metrics.gauges().get("open_files").longValue());
    }

    /** Each pass counts the files and bytes of both tiers (the cold one as its listing is read, none kept). */
    @Test
    void aPassCountsTheFilesAndBytesOfEachTier() throws Exception {
        io.xdevfs.tiers.metrics.Metrics metrics = threeFilesTwoPinnedColdAndAPass(1000);
        var g = metrics.gauges();
        assertEquals(2, g.get("hybrid_cold_files").longValue(), g.toString());
        assertEquals(2000, g.get("hybrid_cold_bytes").longValue(), g.toString());
        assertEquals(1, g.get("hybrid_hot_files").longValue(), g.toString());
        assertEquals(1000, g.get("hybrid_hot_bytes").longValue(), g.toString());
    }

    /** /a and /b of 1000 bytes pinned cold, /c of {@code cBytes} hot, after one pass; the gauges. */
    private io.xdevfs.tiers.metrics.Metrics threeFilesTwoPinnedColdAndAPass(int cBytes) throws Exception {
        volume = Volumes.open(config(), posix);
        io.xdevfs.tiers.metrics.Metrics metrics = new io.xdevfs.tiers.metrics.Metrics(System::nanoTime);
        volume.registerGauges(metrics);
        for (String name : new String[] {"/a", "/b", "/c"}) {
            try (Content c = volume.create(name, Flags.O_WRONLY, 0644, null)) {
                c.write(bytes("x".repeat(name.equals("/c") ? cBytes : 1000)), 0);
            }
        }
        volume.setxattr("/a", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        volume.setxattr("/b", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        ((HybridVolume) volume).migrateNow();
        return metrics;
    }

    /**
     * Passes between full counts of the cold tier list its names and take the bytes from the moves:
     * a file pinned cold after the first pass (a move outside the pass), one brought back hot and one
     * deleted show in the next pass's gauges without a stat of every cold file.
     */
    @Test
    void passesBetweenFullCountsTakeTheColdBytesFromTheMoves() throws Exception {
        io.xdevfs.tiers.metrics.Metrics metrics = threeFilesTwoPinnedColdAndAPass(3000); // the first pass counts in full
        volume.setxattr("/c", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        volume.setxattr("/a", HybridVolume.TIER_ATTRIBUTE, bytes("hot"), 0);
        ((HybridVolume) volume).migrateNow();
        var g = metrics.gauges();
        assertEquals(2, g.get("hybrid_cold_files").longValue(), g.toString());
        assertEquals(4000, g.get("hybrid_cold_bytes").longValue(), g.toString());
        assertTrue(g.get("hybrid_cold_stored_bytes").longValue() > 0, g.toString());
        assertEquals(1000, g.get("hybrid_hot_bytes").longValue(), g.toString());
        volume.unlink("/b");
        ((HybridVolume) volume).migrateNow();
        g = metrics.gauges();
        assertEquals(1, g.get("hybrid_cold_files").longValue(), g.toString());
        assertEquals(3000, g.get("hybrid_cold_bytes").longValue(), g.toString());
    }

    /**
     * A pass keeps only the files it may move, the oldest {@code migration_batch_size}: above the
     * high-water mark (40 KiB of hot tier, six files of 8 KiB) with a batch of two, the two least
     * recently written go, then the next pass finds the tier below the mark and moves nothing.
     */
    @Test
    void aPassMovesTheOldestOfItsBatchAboveTheHighWaterMark() throws Exception {
        volume = Volumes.open(config(40L << 10, false, 2, 60), posix);
        for (int i = 0; i < 6; i++) {
            try (Content c = volume.create("/f" + i, Flags.O_WRONLY, 0644, null)) {
                c.write(bytes("x".repeat(8192)), 0);
            }
            Thread.sleep(20); // each written later than the one before
        }
        assertEquals(2, ((HybridVolume) volume).migrateNow());
        for (int i = 0; i < 6; i++) {
            assertEquals(i < 2, tier("/f" + i).startsWith("cold"), "/f" + i + ": " + tier("/f" + i));
        }
        assertEquals(0, ((HybridVolume) volume).migrateNow(), "below the mark now");
    }

    /** The hot tier fills mid-append: the file moves cold and the append lands once, whole. */
    @Test
    void aFullHotTierMovesTheFileColdAndTheAppendLandsOnce() throws Exception {
        volume = Volumes.open(config(), posix);
        try (Content c = volume.create("/wal", Flags.O_WRONLY | Flags.O_APPEND, 0644, null)) {
            c.write(bytes("first."), 0);
            posix.tearNextWrite(Errno.ENOSPC); // half of the next append is written, then the disk is full
            assertEquals(7, c.write(bytes("second."), 6));
            c.write(bytes("third."), 13);
            c.sync(true);
        }
        assertEquals("first.second.third.", read("/wal"));
        assertTrue(tier("/wal").startsWith("cold") && tier("/wal").contains("hot tier full"), tier("/wal"));
        assertEquals(0, objects("hot"));
    }

    /**
     * A rename queues the file for promotion whatever its tier: a renamed hot file and a cold file
     * unlinked before the pass have no cold object, and the pass goes on to promote the others (it had
     * failed whole with ENOENT, at every new PostgreSQL segment).
     */
    @Test
    void aPassPromotesRenamedColdFilesPastRenamedHotAndUnlinkedOnes() throws Exception {
        volume = Volumes.open(config(), posix);
        for (String name : List.of("/cold-then-gone", "/cold-renamed")) {
            try (Content c = volume.create(name, Flags.O_WRONLY, 0644, null)) {
                c.write(bytes(name), 0);
            }
            volume.setxattr(name, HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        }
        try (Content c = volume.create("/xlogtemp", Flags.O_WRONLY, 0644, null)) {
            c.write(bytes("hot"), 0);
        }
        volume.rename("/xlogtemp", "/segment", 0);
        volume.rename("/cold-then-gone", "/renamed-then-gone", 0);
        volume.unlink("/renamed-then-gone");
        volume.rename("/cold-renamed", "/recycled", 0);

        assertEquals(1, ((HybridVolume) volume).migrateNow());
        assertTrue(tier("/recycled").startsWith("hot"), tier("/recycled"));
        assertEquals("/cold-renamed", read("/recycled"));
        assertTrue(tier("/segment").startsWith("hot"), tier("/segment"));
    }

    @Test
    void anUnlinkedOpenFileKeepsItsBytesUntilItsLastHandleCloses() throws Exception {
        volume = Volumes.open(config(), posix);
        Content c = volume.create("/seg", Flags.O_RDWR, 0644, null);
        c.write(bytes("still here"), 0);
        volume.link("/seg", "/again");
        volume.unlink("/seg");
        assertEquals("still here", read("/again"), "another name keeps the object");
        volume.unlink("/again");
        assertEquals(1, objects("hot"), "the handle keeps the object");
        ByteBuffer b = ByteBuffer.allocateDirect(10);
        c.read(b, 0);
        assertEquals("still here", StandardCharsets.UTF_8.decode(b.flip()).toString());
        assertEquals(0, c.attributes().nlink);
        c.close();
        assertEquals(0, objects("hot"), "the last handle frees it");
    }

    @Test
    void renameOverAFileFreesTheReplacedObject() throws Exception {
        volume = Volumes.open(config(), posix);
        for (String name : new String[] {"/a", "/b"}) {
            try (Content c = volume.create(name, Flags.O_WRONLY, 0644, null)) {
                c.write(bytes(name), 0);
            }
        }
        volume.setxattr("/b", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        volume.rename("/a", "/b", 0);
        assertEquals("/a", read("/b"));
        assertEquals(1, objects("hot") + objects("cold"));
    }

    @Test
    void aMountFreesObjectsNoNameCarriesAndUnfinishedCopies() throws Exception {
        volume = Volumes.open(config(), posix);
        try (Content c = volume.create("/kept", Flags.O_WRONLY, 0644, null)) {
            c.write(bytes("kept"), 0);
        }
        volume.close();
        volume = null;
        Files.write(tmp.resolve("hot/00000000000000ff"), new byte[10]); // an orphan: no stub names it
        Files.write(tmp.resolve("cold/0000000000000abc.part"), new byte[10]); // a copy a crash interrupted
        volume = Volumes.open(config(), new FaultyPosix());
        assertEquals("kept", read("/kept"));
        assertFalse(Files.exists(tmp.resolve("hot/00000000000000ff")));
        assertFalse(Files.exists(tmp.resolve("cold/0000000000000abc.part")));
    }

    @Test
    void usersCannotTouchTheTiersOwnRecordsAndBadTierNamesAreEinval() throws Exception {
        volume = Volumes.open(config(), posix);
        volume.create("/f", Flags.O_WRONLY, 0644, null).close();
        IOException e = assertThrows(IOException.class,
                () -> volume.setxattr("/f", "user.xdevfs.tier.pin", bytes("hot"), 0));
        assertTrue(e.getMessage().contains("errno " + Errno.EPERM), e.getMessage());
        e = assertThrows(IOException.class, () -> volume.setxattr("/f", HybridVolume.TIER_ATTRIBUTE, bytes("warm"), 0));
        assertTrue(e.getMessage().contains("errno " + Errno.EINVAL), e.getMessage());
    }

    /** Moves of one file asked from two threads at once (the migrator and xdevfs tier migrate) take turns. */
    @Test
    void concurrentMovesOfOneFileTakeTurns() throws Exception {
        volume = Volumes.open(config(), new FaultyPosix());
        byte[] data = new byte[6 << 20];
        new java.util.Random(3).nextBytes(data);
        try (Content c = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.allocateDirect(data.length).put(data).flip(), 0);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (String first : new String[] {"cold", "hot"}) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 6; i++) {
                        volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes(i % 2 == 0 ? first : "cold"), 0);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertHolds("/seg", data);
        assertEquals(1, objects("hot") + objects("cold"), "one object, no part");
    }

    /**
     * A move sends its copy to the device a piece at a time (sync_file_range after each 64 KiB, or each
     * chunk of a compressed tier), so a writer fdatasync'ing on the same disk never waits behind the
     * whole copy; a target that refuses the hint still gets the file, whole.
     */
    @Test
    void aMoveStartsWritingItsCopyPieceByPieceAndARefusedHintStopsNothing() throws Exception {
        java.util.concurrent.atomic.AtomicInteger hints = new java.util.concurrent.atomic.AtomicInteger();
        volume = Volumes.open(config(), new io.xdevfs.posix.ForwardingPosix(posix) {
            @Override
            protected void before(String call) {
                if (call.equals("startWriteback")) {
                    hints.incrementAndGet();
                }
            }
        });
        byte[] data = new byte[(1 << 20) + 5];
        new java.util.Random(5).nextBytes(data);
        try (Content c = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.allocateDirect(data.length).put(data).flip(), 0);
            c.sync(true);
        }
        volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        assertEquals("cold", tier("/seg").split(" ")[0]);
        assertEquals(9, hints.get(), "one hint per 128 KiB chunk of the compressed cold tier, 1 MiB + 5 bytes copied");
        hints.set(0);

        posix.fail("startWriteback", Errno.EIO, 0, Integer.MAX_VALUE);
        volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("hot"), 0);
        assertEquals("hot", tier("/seg").split(" ")[0]);
        assertHolds("/seg", data);
    }

    /** A hybrid file unlinked while open says it may have no name: its close frees its object. */
    @Test
    void anOpenFileUnlinkedMayHaveNoName() throws Exception {
        volume = Volumes.open(config(), posix);
        try (Content kept = volume.create("/kept", Flags.O_WRONLY, 0644, null);
             Content gone = volume.create("/gone", Flags.O_WRONLY, 0644, null)) {
            volume.unlink("/gone");
            assertFalse(kept.mayHaveNoName());
            assertTrue(gone.mayHaveNoName());
        }
    }

    /**
     * A writer of a hot file gets the hot object's descriptor for FUSE passthrough (the kernel then
     * writes it unseen), and the file stays put while any handle of it is open: a move would miss those
     * writes, and a handle opened after it would reach the old object. Readers and cold files are not
     * passed through.
     */
    @Test
    void aHotWriterIsPassedThroughAndItsFileStaysPutUntilItsLastHandleCloses() throws Exception {
        volume = Volumes.open(config(), posix);
        Content reader;
        try (Content writer = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
            writer.write(bytes("first "), 0);
            int fd = writer.passThrough(posix::dupCloexec);
            assertTrue(fd >= 0, "a hot writer is passed through");
            ByteBuffer direct = bytes("second");
            assertEquals(6, posix.pwrite(fd, direct, 6), "the kernel's write to the hot object, unseen by the volume");
            posix.close(fd);
            reader = volume.open("/seg", Flags.O_RDONLY);
            assertEquals(-1, reader.passThrough(posix::dupCloexec), "readers are not passed through");
        }
        IOException busy = assertThrows(IOException.class,
                () -> volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0));
        assertTrue(busy.getMessage().contains("passthrough"), busy.getMessage());
        assertEquals("hot", tier("/seg").split(" ")[0], "a reader of the passed-through node keeps the file hot");
        reader.close();

        volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        assertEquals("cold", tier("/seg").split(" ")[0], "all handles closed: it moves");
        assertEquals("first second", read("/seg"), "the bytes the kernel wrote moved with it");
        try (Content writer = volume.open("/seg", Flags.O_RDWR)) {
            assertEquals(-1, writer.passThrough(posix::dupCloexec), "a cold file's writes go through the volume");
        }
    }

    /**
     * A writer that opens in passthrough while a move copies the file: the kernel's writes would miss
     * the copy, so the move aborts at its switch, the retry finds the file passed through (EBUSY), and
     * the late bytes are there; once the writer closes, the move goes through with them.
     */
    @Test
    void aWriterPassedThroughDuringACopyAbortsTheMove() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        Content[] late = new Content[1];
        volume = Volumes.open(config(), new io.xdevfs.posix.ForwardingPosix(posix) {
            @Override
            protected void before(String call) {
                if (call.equals("startWriteback") && armed.compareAndSet(true, false)) {
                    try { // the copy is under way: a writer opens, and the kernel writes through its descriptor
                        late[0] = volume.open("/seg", Flags.O_WRONLY);
                        int fd = late[0].passThrough(posix::dupCloexec);
                        posix.pwrite(fd, bytes("LATE"), 0);
                        posix.close(fd);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        });
        byte[] data = new byte[(1 << 20) + 5];
        new java.util.Random(7).nextBytes(data);
        try (Content c = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.allocateDirect(data.length).put(data).flip(), 0);
        }
        armed.set(true);
        IOException busy = assertThrows(IOException.class,
                () -> volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0));
        assertTrue(busy.getMessage().contains("passthrough"), busy.getMessage());
        assertEquals("hot", tier("/seg").split(" ")[0]);
        System.arraycopy("LATE".getBytes(StandardCharsets.UTF_8), 0, data, 0, 4);
        assertHolds("/seg", data);
        assertEquals(1, objects("hot") + objects("cold"), "the aborted copy's part is gone");

        late[0].close();
        volume.setxattr("/seg", HybridVolume.TIER_ATTRIBUTE, bytes("cold"), 0);
        assertEquals("cold", tier("/seg").split(" ")[0]);
        assertHolds("/seg", data);
    }

    /**
     * A pin to the cold tier of a file open in passthrough is kept, not refused: the migrator moves the
     * file at its first pass after the last handle closes, whatever cold_timeout_sec says.
     */
    @Test
    void aPinOfAPassedThroughFileStandsAndTheFileMovesOnceClosed() throws Exception {
        volume = Volumes.open(config(64L << 20, true, 100, 1), posix);
        try (Content writer = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
            writer.write(bytes("sealed soon"), 0);
            posix.close(writer.passThrough(posix::dupCloexec));
            volume.setxattr("/seg", HybridVolume.PIN_ATTRIBUTE, bytes("cold"), 0);
            Thread.sleep(1500); // a pass or two of the migrator
            assertEquals("hot", tier("/seg").split(" ")[0], "open in passthrough: it stays");
        }
        // A gentle move runs in SCHED_IDLE: on a machine whose cores are all busy it waits for one (a CI run
        // with other tests beside it took more than 10 s). Passes come every second when it is quiet.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!tier("/seg").startsWith("cold")) {
            assertTrue(System.nanoTime() < deadline, "still " + tier("/seg"));
            Thread.sleep(50);
        }
        assertTrue(tier("/seg").contains("pinned cold"), tier("/seg"));
        assertEquals("sealed soon", read("/seg"));
    }

    /** On tiers of two filesystems a full hot tier must reach the daemon (it moves the file): no passthrough. */
    @Test
    void tiersOnTwoFilesystemsAreNotPassedThrough() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)), "needs /dev/shm on another filesystem");
        Path cold = Files.createTempDirectory(shm, "xdevfs-cold");
        try {
            LocalConfig d = LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"));
            volume = Volumes.open(d.withHybrid(new HybridSettings(d.withBaseDirectory(tmp.resolve("hot")),
                    d.withBaseDirectory(cold), 64L << 20, 0, 3600, false, 100, 60, 64L << 20)), posix);
            try (Content writer = volume.create("/seg", Flags.O_WRONLY, 0644, null)) {
                assertEquals(-1, writer.passThrough(posix::dupCloexec));
            }
        } finally {
            if (volume != null) {
                volume.close();
                volume = null;
            }
            try (var files = Files.walk(cold)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Health: a tier that cannot take a synced write is named (names first, then hot, then cold). */
    @Test
    void aTierThatCannotTakeWritesIsNamed() throws Exception {
        volume = Volumes.open(config(), posix);
        volume.checkWritable();
        posix.fail("openat", Errno.EROFS, 2, 1); // the names' and the hot tier's probes pass, the cold tier's fails
        IOException e = assertThrows(IOException.class, volume::checkWritable);
        assertTrue(e.getMessage().startsWith("the cold tier cannot take writes"), e.getMessage());
    }

    @Test
    void statfsCountsTwoTiersOnOneFilesystemOnce() throws Exception {
        volume = Volumes.open(config(), posix);
        FsStat hybrid = volume.statfs();
        assertEquals(Files.getFileStore(tmp).getTotalSpace(), hybrid.blocks() * hybrid.fragmentSize(),
                "hot, cold and names share one filesystem here: its size, not twice it");
    }
}
