package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.tmpfs.TmpfsDurability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * storage_type = tmpfs with an intent log, without a mount: whenever every file of a random workload
 * of names and bytes has been synced, the last copy plus the log (as they are on disk at that moment)
 * replay into exactly the tree the volume holds; an interrupted replay run again gives the same tree.
 */
class TmpfsIntentLogTest {
    @TempDir
    Path disk;
    Path shm;
    Volume volume;

    @BeforeEach
    void makeShm() throws IOException {
        shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-intentlog-");
    }

    @AfterEach
    void removeShm() throws IOException {
        if (volume != null) {
            volume.close();
        }
        deleteTree(shm);
    }

    private TmpfsSettings settings(Path backup, Path log) {
        return settings(backup, log, 3600);
    }

    private TmpfsSettings settings(Path backup, Path log, int backupIntervalSeconds) {
        return new TmpfsSettings(false, "", true, backupIntervalSeconds, backup, log, 32L << 20);
    }

    private Volume open(Path base) throws VolumeException {
        return Volumes.open(LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                .withTmpfs(settings(disk.resolve("backup"), disk.resolve("log"))));
    }

    /** A backup or log directory the mount cannot use is refused with what is wrong, before anything is restored. */
    @org.junit.jupiter.api.Test
    void aBackupOrLogDirectoryThatIsAFileInMemoryOrInsideTheTmpfsIsRefusedClearly() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        Path file = Files.writeString(disk.resolve("not-a-dir"), "x");
        VolumeException e = org.junit.jupiter.api.Assertions.assertThrows(VolumeException.class, () -> Volumes.open(
                LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                        .withTmpfs(settings(disk.resolve("backup"), file))));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("intent_log_directory " + file
                + " exists and is not a directory"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(VolumeException.class, () -> Volumes.open(
                LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                        .withTmpfs(settings(disk.resolve("backup"), shm.resolve("log")))));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("is on a memory filesystem"), e.getMessage());
        // The copies too: a log replayed onto a copy that did not survive the reboot restores nothing before it.
        for (Path backup : List.of(shm.resolve("backup"), base.resolve("backup"))) {
            e = org.junit.jupiter.api.Assertions.assertThrows(VolumeException.class, () -> Volumes.open(
                    LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                            .withTmpfs(settings(backup, disk.resolve("log")))));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("backup_directory " + backup + " is ")
                    && e.getMessage().contains("does not survive the reboot"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertFalse(Files.exists(disk.resolve("log")), "nothing was made for a refused mount");
    }

    /**
     * Two mounts over one backup or log directory would replace each other's copies and interleave their
     * logs (a reboot then restores one mount's files into the other): the second is refused, before it
     * restores anything, and the first goes on; once the first is closed the directories are free.
     */
    @Test
    void twoMountsCannotShareABackupOrALogDirectory() throws Exception {
        Path first = Files.createDirectories(shm.resolve("first"));
        Path second = Files.createDirectories(shm.resolve("second"));
        volume = open(first);
        volume.create("/kept", Flags.O_RDWR, 0600, null).close();
        for (TmpfsSettings shared : List.of(settings(disk.resolve("backup"), disk.resolve("log2")),
                settings(disk.resolve("backup2"), disk.resolve("log")))) {
            String key = shared.backupDirectory().equals(disk.resolve("backup")) ? "backup_directory" : "intent_log_directory";
            VolumeException e = org.junit.jupiter.api.Assertions.assertThrows(VolumeException.class, () -> Volumes.open(
                    LocalConfig.defaults().withBaseDirectory(second).withStorageType(StorageType.TMPFS).withTmpfs(shared)));
            assertTrue(e.getMessage().contains(key + " " + disk.resolve(key.equals("backup_directory") ? "backup" : "log")
                    + " is in use by"), e.getMessage());
            try (Stream<Path> restored = Files.list(second)) {
                assertEquals(List.of(), restored.toList(), "nothing restored into the refused mount's tmpfs");
            }
        }
        volume.create("/after", Flags.O_RDWR, 0600, null).close();
        volume.close();
        volume = null;
        Volumes.open(LocalConfig.defaults().withBaseDirectory(second).withStorageType(StorageType.TMPFS)
                .withTmpfs(settings(disk.resolve("backup"), disk.resolve("log")))).close();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {7, 8})
    void theCopyPlusTheLogReplayIntoTheTreeAtEverySync(long seed) throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        Random rnd = new Random(seed);
        List<String> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>(List.of(""));
        List<Path> points = new ArrayList<>();
        List<TreeMap<String, String>> expected = new ArrayList<>();
        int made = 0;
        for (int step = 0; step < 600; step++) {
            int op = rnd.nextInt(100);
            try {
                if (op < 8 || files.isEmpty()) {
                    String f = dirs.get(rnd.nextInt(dirs.size())) + "/f" + made++;
                    volume.create(f, Flags.O_RDWR | (rnd.nextBoolean() ? Flags.O_TRUNC : 0), 0600 + rnd.nextInt(0100),
                            null).close();
                    files.add(f);
                } else if (op < 12) {
                    String d = dirs.get(rnd.nextInt(dirs.size())) + "/d" + made++;
                    volume.mkdir(d, 0755, null);
                    dirs.add(d);
                } else if (op < 45) {
                    String f = files.get(rnd.nextInt(files.size()));
                    try (Content c = volume.open(f, rnd.nextInt(5) == 0 ? Flags.O_WRONLY | Flags.O_APPEND : Flags.O_WRONLY)) {
                        byte[] data = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 3_000_000 : 20_000)];
                        rnd.nextBytes(data);
                        long at = rnd.nextInt((int) c.attributes().size + 1);
                        c.write(ByteBuffer.wrap(data), at);
                        if (rnd.nextInt(3) == 0) {
                            c.sync(rnd.nextBoolean());
                        }
                    }
                } else if (op < 52) {
                    String f = files.get(rnd.nextInt(files.size()));
                    try (Content c = volume.open(f, Flags.O_RDWR)) {
                        c.truncate(rnd.nextInt((int) c.attributes().size + 1000));
                    }
                } else if (op < 60) {
                    int i = rnd.nextInt(files.size());
                    String to = dirs.get(rnd.nextInt(dirs.size())) + "/r" + made++;
                    volume.rename(files.get(i), to, 0);
                    files.set(i, to);
                } else if (op < 64) {
                    volume.unlink(files.remove(rnd.nextInt(files.size())));
                } else if (op < 67) {
                    String f = files.get(rnd.nextInt(files.size()));
                    String l = dirs.get(rnd.nextInt(dirs.size())) + "/l" + made++;
                    volume.link(f, l);
                    files.add(l);
                } else if (op < 72) {
                    volume.chmod(files.get(rnd.nextInt(files.size())), 0400 + rnd.nextInt(0400));
                } else if (op < 76) {
                    volume.setxattr(files.get(rnd.nextInt(files.size())), "user.k" + rnd.nextInt(3),
                            ByteBuffer.wrap(("v" + step).getBytes()), 0);
                } else if (op < 78) {
                    volume.symlink("target" + step, dirs.get(rnd.nextInt(dirs.size())) + "/s" + made++, null);
                } else if (op < 80 && dirs.size() > 1) {
                    // a directory renamed with files in it: the log names them by id, not by their old paths
                    int i = 1 + rnd.nextInt(dirs.size() - 1);
                    String from = dirs.get(i);
                    String to = "/m" + made++;
                    volume.rename(from, to, 0);
                    dirs.replaceAll(d -> d.equals(from) || d.startsWith(from + "/") ? to + d.substring(from.length()) : d);
                    files.replaceAll(f -> f.startsWith(from + "/") ? to + f.substring(from.length()) : f);
                } else if (op < 86) {
                    // every file synced (what syncfs does): the whole tree is what a reboot must bring back
                    for (String f : files) {
                        try (Content c = volume.open(f, Flags.O_RDONLY)) {
                            c.sync(rnd.nextBoolean());
                        }
                    }
                    volume.syncDirectory("/");
                    points.add(capture(points.size()));
                    expected.add(describe(base));
                }
            } catch (io.xdevfs.posix.PosixException e) {
                // a clash the model does not track (EEXIST, ENOTEMPTY, EISDIR): nothing changed
            }
        }
        assertTrue(points.size() > 20, "syncs: " + points.size());
        for (int i = 0; i < points.size(); i++) {
            assertEquals(expected.get(i), replayed(points.get(i)), "sync " + i);
        }
        // Each replay above stopped before the mount's checkpoint: its marker says it was interrupted. A
        // second mount empties the half-done tree and replays again from the copy: the same tree.
        Path last = points.get(points.size() - 1);
        assertTrue(Files.exists(last.resolve("log/replaying")));
        Path again = shm.resolve("replay-" + last.getFileName());
        Files.writeString(again.resolve("left-by-the-interrupted-replay"), "x");
        TmpfsDurability.restore(Posix.get(), again, settings(last.resolve("backup"), last.resolve("log")), m -> { });
        assertEquals(expected.get(points.size() - 1), describe(again), "replayed twice");
    }

    /**
     * Checkpoints copy a file while it is written and synced (under a log a copy holds only the names
     * still): whenever the writer's last change was synced, the copy plus the log replay into exactly the
     * bytes it synced. The log fills every few hundred syncs and the copies run every second, so most
     * copies read the file while writes land in it.
     */
    @Test
    void checkpointsTakenWhileAFileIsWrittenReplayEverySyncedByte() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                .withTmpfs(settings(disk.resolve("backup"), disk.resolve("log"), 1)));
        Random rnd = new Random(11);
        byte[] synced = new byte[0];
        java.util.Set<String> copies = new java.util.HashSet<>();
        long until = System.nanoTime() + 4_000_000_000L;
        try (Content c = volume.create("/wal", Flags.O_RDWR, 0644, null)) {
            for (int point = 0; System.nanoTime() < until || copies.size() < 4; point++) {
                for (int i = 0; i < 400; i++) {
                    int op = rnd.nextInt(100);
                    if (op < 4) {
                        // shrunk, or grown with zeros (as PostgreSQL preallocates a segment): a copy brought up to
                        // date in place must not keep what it held past the shrink
                        int size = op < 2 ? rnd.nextInt(synced.length + 1) : synced.length + rnd.nextInt(1 << 20);
                        c.truncate(size);
                        synced = java.util.Arrays.copyOf(synced, size);
                    } else {
                        // appends, as a WAL writes, until 12 MiB, then overwrites from the start, as fio's does
                        byte[] data = new byte[1 + rnd.nextInt(64 << 10)];
                        rnd.nextBytes(data);
                        int at = op < 80 && synced.length < (12 << 20) ? synced.length : rnd.nextInt(synced.length + 1);
                        c.write(ByteBuffer.wrap(data), at);
                        if (at + data.length > synced.length) {
                            synced = java.util.Arrays.copyOf(synced, at + data.length);
                        }
                        System.arraycopy(data, 0, synced, at, data.length);
                    }
                    c.sync(rnd.nextBoolean());
                }
                Path captured = capture(point);
                copies.add(Files.readString(captured.resolve("backup/current/started")));
                byte[] replayed = Files.readAllBytes(replayedInto(captured).resolve("wal"));
                org.junit.jupiter.api.Assertions.assertArrayEquals(synced, replayed, "point " + point);
                deleteTree(captured);
                deleteTree(shm.resolve("replay-" + point));
            }
        }
    }

    /**
     * A copy taken under the log, to be restored without it (the key dropped after a reboot): refused,
     * naming both ways on, since the syncs since the copy are in the log only; the copy alone once its
     * log-start is deleted.
     */
    @Test
    void aCopyTakenWithALogIsNotRestoredWithoutIt() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        try (Content c = volume.create("/wal", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap("synced".getBytes()), 0);
            c.sync(true);
        }
        volume.close();
        volume = null;
        deleteTree(base); // a reboot: the tmpfs is gone
        Files.createDirectories(base);
        TmpfsSettings withoutLog = new TmpfsSettings(false, "", true, 3600, disk.resolve("backup"), null, 32L << 20);
        LocalConfig config = LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                .withTmpfs(withoutLog);
        VolumeException e = org.junit.jupiter.api.Assertions.assertThrows(VolumeException.class, () -> Volumes.open(config));
        assertTrue(e.getMessage().contains("set intent_log_directory") && e.getMessage().contains("log-start"),
                e.getMessage());
        assertEquals(List.of(), Files.list(base).toList(), "nothing restored");
        Files.delete(disk.resolve("backup/current/log-start"));
        volume = Volumes.open(config);
        assertEquals("synced", Files.readString(base.resolve("wal")));
    }

    /**
     * A sync whose bytes do not fit in the log (40 MB dirty, a 32 MiB bound) is neither failed nor
     * skipped: a checkpoint takes them, and the sync returns once that copy is current.
     */
    @Test
    void aSyncTooBigForTheLogIsMadeDurableByACheckpoint() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        io.xdevfs.tiers.metrics.Metrics metrics = new io.xdevfs.tiers.metrics.Metrics(System::nanoTime);
        volume.registerGauges(metrics);
        byte[] data = new byte[40 << 20];
        new Random(3).nextBytes(data);
        try (Content c = volume.create("/big", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap(data), 0);
            long start = System.nanoTime();
            c.sync(true);
            System.err.println("a 40 MB sync through a checkpoint: " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
        assertEquals(1L, metrics.gauges().get("intent_log_full_checkpoints_total").longValue());
        assertTrue(metrics.gauges().get("intent_log_fill_ratio").doubleValue() < 0.5);
        // What a reboot now brings back: the copy holds the bytes, the log adds nothing to them.
        Path point = capture(0);
        assertEquals(describe(base).get("big"), replayed(point).get("big"));
    }

    /**
     * The log's force fails (a disk full or failing for a moment): the sync does not answer EIO while a
     * checkpoint can take its bytes, and the log works again from the segment that checkpoint started.
     * Before, one failed force left every later fsync failing with EIO until the next mount. A force
     * that fails again within the retry interval is EIO (a checkpoint copies the whole tier).
     */
    @Test
    void aFailedLogWorksAgainOnceACheckpointCoversTheFailure() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        FaultyPosix posix = new FaultyPosix();
        volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(base).withStorageType(StorageType.TMPFS)
                .withTmpfs(settings(disk.resolve("backup"), disk.resolve("log"))), posix);
        io.xdevfs.tiers.metrics.Metrics metrics = new io.xdevfs.tiers.metrics.Metrics(System::nanoTime);
        volume.registerGauges(metrics);
        try (Content c = volume.create("/wal", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap("one;".getBytes()), 0);
            c.sync(true);
            posix.fail("fsync", io.xdevfs.posix.Errno.EIO); // the next force of the log
            c.write(ByteBuffer.wrap("two;".getBytes()), 4);
            c.sync(true); // through a checkpoint
            assertEquals(1L, metrics.gauges().get("intent_log_recoveries_total").longValue());
            assertEquals(1L, metrics.gauges().get("intent_log_healthy").longValue());
            volume.checkWritable();
            c.write(ByteBuffer.wrap("three;".getBytes()), 8);
            c.sync(true); // through the log again
            assertEquals(describe(base), replayed(capture(0)), "the copy and the log after it replay into the tree");
            posix.fail("fsync", io.xdevfs.posix.Errno.EIO);
            c.write(ByteBuffer.wrap("four;".getBytes()), 14);
            io.xdevfs.posix.PosixException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.xdevfs.posix.PosixException.class, () -> c.sync(true), "a second failure within the retry interval");
            assertEquals(io.xdevfs.posix.Errno.EIO, e.errno());
            assertEquals(0L, metrics.gauges().get("intent_log_healthy").longValue());
        }
    }

    /**
     * A file in the last copy is found by its id when a later sync's bytes are replayed, whatever bytes
     * its name and its directory's are (a name that is not UTF-8 was not found, and the synced bytes
     * were skipped as if the file had been unlinked).
     */
    @Test
    void syncedBytesOfAFileWhoseNameIsNotUtf8AreReplayed() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        volume.mkdir("/d\u00ff", 0755, null);
        try (Content c = volume.create("/d\u00ff/bad\u00fe", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap("in the copy;".getBytes()), 0);
            c.sync(true);
        }
        volume.close(); // a checkpoint: the file is in the copy, its create no longer in the log
        volume = open(base);
        try (Content c = volume.open("/d\u00ff/bad\u00fe", Flags.O_WRONLY)) {
            c.write(ByteBuffer.wrap(" in the log".getBytes()), 12);
            c.sync(true);
        }
        Path into = replayedInto(capture(0));
        String replayed = Names.of(into) + "/d\u00ff/bad\u00fe";
        ByteBuffer back = ByteBuffer.allocateDirect(64);
        int fd = Posix.get().openat(Flags.AT_FDCWD, replayed, Flags.O_RDONLY, 0);
        try {
            int n = Posix.get().pread(fd, back, 0);
            back.position(0).limit(n);
        } finally {
            Posix.get().close(fd);
        }
        assertEquals("in the copy; in the log", java.nio.charset.StandardCharsets.UTF_8.decode(back).toString());
    }

    /** A copy without a log-start (taken before the log was configured) gets every segment there is replayed onto it. */
    @Test
    void aCopyWithoutALogStartGetsTheWholeLog() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        for (int i = 0; i < 3; i++) { // checkpoints trim the first segments: the lowest left is not 0
            try (Content c = volume.create("/f" + i, Flags.O_WRONLY, 0644, null)) {
                c.write(ByteBuffer.wrap(new byte[5 << 20]), 0);
                c.sync(true);
            }
            volume.close();
            volume = open(base);
        }
        try (Content c = volume.create("/last", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap("after the last copy".getBytes()), 0);
            c.sync(true);
        }
        Path point = capture(0);
        Files.delete(point.resolve("backup/current/log-start"));
        assertTrue(io.xdevfs.tiers.intentlog.LogReader.firstSegment(point.resolve("log")) > 0);
        assertEquals(describe(base), replayed(point));
    }

    /**
     * A sync logs the mtime the daemon gave the file (the clock at the write, or a utimens after it)
     * without reading the file's times: replayed, a written file's mtime is within a few milliseconds
     * of what it was, and a time set after the last write is restored exactly.
     */
    @Test
    void replayedFilesKeepTheirModificationTimes() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        try (Content c = volume.create("/written", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap(new byte[8192]), 0);
            c.sync(true);
        }
        try (Content c = volume.create("/stamped", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap(new byte[100]), 0);
            volume.utimens("/stamped", 0, Flags.UTIME_OMIT, 978_307_200L, 123_456_789L);
            c.write(ByteBuffer.wrap(new byte[10]), 100);
            c.changeMetadata(new MetadataChange.Times(0, Flags.UTIME_OMIT, 1_000_000_000L, 7L));
            c.sync(true);
        }
        Path into = replayedInto(capture(0));
        long before = Files.getLastModifiedTime(base.resolve("written")).toMillis();
        long after = Files.getLastModifiedTime(into.resolve("written")).toMillis();
        assertTrue(Math.abs(after - before) < 50, "written: " + before + " before, " + after + " replayed");
        assertEquals(java.time.Instant.ofEpochSecond(1_000_000_000L, 7L),
                Files.getLastModifiedTime(into.resolve("stamped")).toInstant());
        assertEquals(110, Files.size(into.resolve("stamped")));
    }

    /**
     * Set-user-ID and set-group-ID bits survive a replay and a checkpoint's copy: both set the owner
     * after the mode, and a chown clears those bits of a file, so a restored tool lost them.
     */
    @Test
    void setIdBitsSurviveTheReplayAndTheCopy() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        try (Content c = volume.create("/tool", Flags.O_WRONLY, 06755, null)) {
            c.write(ByteBuffer.wrap(new byte[100]), 0);
            c.sync(true);
        }
        assertEquals(06755, mode(base.resolve("tool")));
        assertEquals(06755, mode(replayedInto(capture(0)).resolve("tool")), "replayed from the log");
        volume.close(); // takes the last copy
        volume = null;
        assertEquals(06755, mode(disk.resolve("backup/current/tree/tool")), "copied at the unmount");
        assertEquals(06755, mode(replayedInto(capture(1)).resolve("tool")), "restored from the copy");
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** Attributes set and removed through a handle are records too (FSETXATTR, FREMOVEXATTR), replayed by file id. */
    @Test
    void extendedAttributesSetThroughAHandleAreReplayed() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        try (Content c = volume.create("/tagged", Flags.O_WRONLY, 0644, null)) {
            c.write(ByteBuffer.wrap(new byte[100]), 0);
            c.changeMetadata(new MetadataChange.SetXattr("user.kept", new byte[] {'k'}, 0));
            c.changeMetadata(new MetadataChange.SetXattr("user.dropped", new byte[] {'d'}, 0));
            c.changeMetadata(new MetadataChange.RemoveXattr("user.dropped"));
            c.sync(false);
        }
        Path into = replayedInto(capture(0));
        java.nio.file.attribute.UserDefinedFileAttributeView view = Files.getFileAttributeView(into.resolve("tagged"),
                java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertEquals(List.of("kept"), view.list().stream().filter(n -> !n.startsWith("xdevfs.")).toList()); // the id is ours
    }

    /** The backup and the log as they are on disk now (a machine that stops here has exactly these). */
    private Path capture(int n) throws IOException {
        Path point = disk.resolve("points/" + n);
        Path started = disk.resolve("backup/current/started");
        while (true) { // a checkpoint the filling log asked for may run meanwhile: copy again until none did
            deleteTree(point);
            String before = Files.readString(started);
            try {
                copyTree(disk.resolve("backup/current"), point.resolve("backup/current"));
                copyTree(disk.resolve("log"), point.resolve("log"));
            } catch (IOException e) {
                continue;
            }
            if (before.equals(Files.readString(started))) {
                return point;
            }
        }
    }

    private TreeMap<String, String> replayed(Path point) throws Exception {
        return describe(replayedInto(point));
    }

    private Path replayedInto(Path point) throws Exception {
        Path into = Files.createDirectories(shm.resolve("replay-" + point.getFileName()));
        TmpfsDurability.restore(Posix.get(), into, settings(point.resolve("backup"), point.resolve("log")), m -> { });
        return into;
    }

    /** Every name with its type, mode, owner, size, content digest or link target, and user xattrs. */
    static TreeMap<String, String> describe(Path root) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.skip(1).toList()) {
                String rel = root.relativize(p).toString();
                StringBuilder d = new StringBuilder();
                d.append(Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).append(' ')
                        .append(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).append(' ');
                if (Files.isSymbolicLink(p)) {
                    d.append("-> ").append(Files.readSymbolicLink(p));
                } else {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        d.append(Files.size(p)).append(' ').append(HexFormat.of().formatHex(
                                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                    }
                    UserDefinedFileAttributeView x = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
                    for (String name : x.list().stream().sorted().toList()) {
                        ByteBuffer v = ByteBuffer.allocate(x.size(name));
                        x.read(name, v);
                        d.append(' ').append(name).append('=').append(HexFormat.of().formatHex(v.array()));
                    }
                }
                out.put(rel, d.toString());
            }
        }
        return out;
    }

    /** cp -a: hard links, modes, owners, times and extended attributes as they are. */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        Files.createDirectories(to.getParent());
        try {
            Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("cp -a " + from + ": " + out);
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
