package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.TmpfsSettings;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.Volumes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under an intent log, a checkpoint brings the previous copy of a changed file up to date in place:
 * only what changed since the previous copy is written, and the copy equals the file.
 */
class PatchedCopyTest {
    @TempDir
    Path disk;
    Path shm;
    BackedUpVolume volume;

    @BeforeEach
    void makeShm() throws IOException {
        shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-patch-");
    }

    @AfterEach
    void removeShm() throws IOException {
        if (volume != null) {
            volume.close();
        }
        try (Stream<Path> all = Files.walk(shm)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private BackedUpVolume open(Path base) throws Exception {
        return open(base, Posix.get());
    }

    private BackedUpVolume open(Path base, Posix posix) throws Exception {
        TmpfsSettings tmpfs = new TmpfsSettings(false, "", true, 3600, disk.resolve("backup"), disk.resolve("log"),
                32L << 20);
        TmpfsDurability.check(Posix.get(), base, tmpfs);
        Volume plain = Volumes.open(LocalConfig.defaults().withBaseDirectory(base));
        return (BackedUpVolume) TmpfsDurability.wrap(posix, base, plain, tmpfs, "test",
                TmpfsDurability.Recovered.NOTHING, TmpfsDurability.lockDirectories(posix, tmpfs), m -> { }, e -> { });
    }

    private byte[] copied(String name) throws IOException {
        return Files.readAllBytes(disk.resolve("backup/current/tree").resolve(name));
    }

    @Test
    void aChangedFileIsPatchedWithWhatChangedAndEqualsTheFile() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        volume = open(base);
        Random rnd = new Random(5);
        byte[] first = new byte[4 << 20];
        rnd.nextBytes(first);
        try (Content c = volume.create("/wal", Flags.O_RDWR, 0644, null)) {
            c.write(ByteBuffer.wrap(first), 0);
            c.sync(true);
            TreeCopy.Result whole = volume.backup().snapshot(); // the mount's copy was before: this one is ours
            assertEquals(0, whole.patchedFiles(), "the first copy of this volume copies the file whole");
            assertTrue(whole.copiedBytes() >= first.length);
            assertArrayEquals(first, copied("wal"));

            byte[] more = new byte[8192];
            rnd.nextBytes(more);
            c.write(ByteBuffer.wrap(more), first.length); // an append
            c.write(ByteBuffer.wrap(more, 0, 100), 1000); // an overwrite
            c.sync(true);
            TreeCopy.Result patched = volume.backup().snapshot();
            assertEquals(1, patched.patchedFiles());
            io.xdevfs.tiers.metrics.Metrics metrics = new io.xdevfs.tiers.metrics.Metrics(System::nanoTime);
            volume.registerGauges(metrics);
            assertEquals(1L, metrics.gauges().get("tmpfs_backup_files_patched_last").longValue());
            assertEquals(patched.copiedBytes(), metrics.gauges().get("tmpfs_backup_bytes_copied_last").longValue());
            assertTrue(metrics.gauges().get("tmpfs_backups_total").longValue() >= 3); // the mount's, and two
            // only what changed is written (and the volume's header, written less than a second before the copy)
            assertTrue(patched.copiedBytes() >= 8192 + 100 && patched.copiedBytes() < 16 << 10, "" + patched);
            assertArrayEquals(Files.readAllBytes(base.resolve("wal")), copied("wal"));

            c.truncate(100_000); // shrunk, then grown with zeros: what the copy held past the shrink must go
            c.truncate(3 << 20);
            c.write(ByteBuffer.wrap(more), 2 << 20);
            c.sync(true);
            patched = volume.backup().snapshot();
            assertTrue(patched.copiedBytes() >= 8192 && patched.copiedBytes() < 16 << 10, "" + patched);
            byte[] now = Files.readAllBytes(base.resolve("wal"));
            assertEquals(0, now[200_000]);
            assertArrayEquals(now, copied("wal"));
        }
        // A file replaced by another under its name (rename over it) is a different file: copied whole.
        try (Content other = volume.create("/other", Flags.O_RDWR, 0644, null)) {
            other.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        }
        volume.rename("/other", "/wal", 0);
        TreeCopy.Result replaced = volume.backup().snapshot();
        assertEquals(0, replaced.patchedFiles());
        assertArrayEquals(new byte[] {1, 2, 3}, copied("wal"));
        assertNotEquals(0, Arrays.hashCode(copied("wal")));
    }

    /**
     * A checkpoint that fails partway through a patch (the backup disk full) leaves the copy before
     * current, partly brought up to date, and hands its changes back: the next checkpoint patches
     * them all, and its copy equals the file.
     */
    @Test
    void aCheckpointThatFailsMidPatchHandsItsChangesToTheNext() throws Exception {
        Path base = Files.createDirectories(shm.resolve("base"));
        io.xdevfs.tiers.FaultyPosix posix = new io.xdevfs.tiers.FaultyPosix();
        volume = open(base, posix);
        Random rnd = new Random(9);
        try (Content c = volume.create("/wal", Flags.O_RDWR, 0644, null)) {
            byte[] first = new byte[4 << 20];
            rnd.nextBytes(first);
            c.write(ByteBuffer.wrap(first), 0);
            c.sync(true);
            volume.backup().snapshot();
            String started = Files.readString(disk.resolve("backup/current/started"));
            byte[] more = new byte[3 << 20];
            rnd.nextBytes(more);
            c.write(ByteBuffer.wrap(more), 1 << 20);
            c.write(ByteBuffer.wrap(more, 0, 5000), first.length + 100);
            c.sync(true);
            posix.fail("pwrite", io.xdevfs.posix.Errno.ENOSPC, 1, 1); // the patch's second piece
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> volume.backup().snapshot());
            assertEquals(started, Files.readString(disk.resolve("backup/current/started")), "the copy before stays current");
            TreeCopy.Result again = volume.backup().snapshot();
            assertEquals(1, again.patchedFiles());
            assertArrayEquals(Files.readAllBytes(base.resolve("wal")), copied("wal"));
        }
    }
}
