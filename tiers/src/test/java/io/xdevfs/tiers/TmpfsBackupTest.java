package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.tmpfs.GatedVolume;
import io.xdevfs.tiers.tmpfs.TmpfsBackup;
import io.xdevfs.tiers.tmpfs.TreeCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup_to_disk without a mount: copies are consistent while writers run, and unchanged files are linked. */
class TmpfsBackupTest {
    @TempDir
    Path tmp;

    private static String counter(long i) {
        return String.format("%012d", i);
    }

    /**
     * A writer bumps counter A, then counter B, forever; any consistent copy has A - B in {0, 1}.
     * A copy that did not hold the writer would catch them at different moments, in either order.
     */
    @Test
    void copiesTakenWhileAWriterRunsAreConsistent() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        List<String> notices = new ArrayList<>();
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, notices::add, e -> { });
        for (int i = 0; i < 50; i++) { // bulk that later copies link instead of copying
            Files.writeString(base.resolve("bulk" + i), "x".repeat(10_000));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try (Content a = gated.create("/a", Flags.O_RDWR, 0644, null);
                 Content b = gated.create("/b", Flags.O_RDWR, 0644, null)) {
                for (long i = 0; !stop.get(); i++) {
                    a.write(ByteBuffer.wrap(counter(i).getBytes(StandardCharsets.US_ASCII)), 0);
                    b.write(ByteBuffer.wrap(counter(i).getBytes(StandardCharsets.US_ASCII)), 0);
                    written.countDown();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        try {
            // a copy before the first writes would rightly hold the files empty, as they were
            assertTrue(written.await(10, java.util.concurrent.TimeUnit.SECONDS), "the writer wrote");
            Thread.sleep(50);
            for (int round = 0; round < 8; round++) {
                TreeCopy.Result r = backup.snapshot();
                Path tree = backups.resolve("current/tree");
                long a = Long.parseLong(Files.readString(tree.resolve("a")));
                long b = Long.parseLong(Files.readString(tree.resolve("b")));
                assertTrue(a - b == 0 || a - b == 1, "copy " + round + ": a = " + a + ", b = " + b);
                if (round > 2) {
                    assertTrue(r.linkedFiles() >= 50, "unchanged files are linked: " + r);
                }
                Thread.sleep(round == 1 ? 1100 : 20); // the bulk's change time ages past the margin
            }
        } finally {
            stop.set(true);
            writer.join();
            backup.close();
            gated.close();
        }
        assertNull(failure.get());
        assertEquals(Files.readString(base.resolve("a")), Files.readString(backups.resolve("current/tree/a")),
                "the copy at close has the last write");
        assertTrue(Files.notExists(backups.resolve("next")));
    }

    /**
     * Regression: a file with more extended attributes than the backup's ext4 holds in its one block (a
     * tmpfs takes many more) failed every copy with ENOSPC, so nothing written after it was backed up.
     * The copy now leaves those out, keeps the file's bytes and xdevfs's id, and says so as a fault.
     */
    @Test
    void attributesTheBackupCannotHoldAreLeftOutAndReported() throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-backup-test-");
        try {
            Path base = Files.createDirectories(shm.resolve("base"));
            Path backups = tmp.resolve("backups"); // on the disk's filesystem (ext4 here)
            GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
            List<Exception> faults = new ArrayList<>();
            TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, s -> { }, faults::add);
            try {
                try (Content c = gated.create("/many", Flags.O_RDWR, 0644, null)) {
                    c.write(ByteBuffer.wrap("bytes".getBytes(StandardCharsets.US_ASCII)), 0);
                }
                for (int i = 0; i < 60; i++) {
                    gated.setxattr("/many", "user.a" + i, ByteBuffer.allocateDirect(200), 0);
                }
                Files.writeString(base.resolve("later"), "written after it");
                TreeCopy.Result r = backup.snapshot();
                Path tree = backups.resolve("current/tree");
                assertTrue(r.attributesLeftOut() > 0, "ext4 holds fewer than 60 attributes of 200 bytes: " + r);
                assertEquals("bytes", Files.readString(tree.resolve("many")));
                assertEquals("written after it", Files.readString(tree.resolve("later")));
                assertEquals(gated.getattr("/many").ino, Volumes.open(LocalConfig.defaults().withBaseDirectory(tree))
                        .getattr("/many").ino, "the file id is copied first, whatever else does not fit");
                assertEquals(1, faults.size());
                assertTrue(faults.get(0).getMessage().contains("left out " + r.attributesLeftOut()), faults.toString());
            } finally {
                backup.close();
                gated.close();
            }
        } finally {
            try (java.util.stream.Stream<Path> all = Files.walk(shm)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Regression: a backup copied a sparse file's holes as zeros, so a tmpfs file of a few KB and a size
     * of 64 GB (stress-ng's fsize stressor made one) filled the backup disk and failed every copy. Holes
     * stay holes, both ways.
     */
    @Test
    void sparseFilesStaySparseInTheCopyAndTheRestore() throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-sparse-test-");
        try {
            Path base = Files.createDirectories(shm.resolve("base"));
            Path backups = tmp.resolve("backups");
            GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
            TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, s -> { }, e -> { });
            long size = 4L << 30; // small enough that a regression writes it out (and fails) without filling the disk
            try {
                try (Content c = gated.create("/sparse", Flags.O_RDWR, 0640, null)) {
                    c.write(ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII)), 0);
                    c.write(ByteBuffer.wrap("middle".getBytes(StandardCharsets.US_ASCII)), 1L << 30);
                    c.truncate(size);
                }
                backup.snapshot();
            } finally {
                backup.close();
                gated.close();
            }
            Path copy = backups.resolve("current/tree/sparse");
            assertEquals(size, Files.size(copy));
            assertTrue(allocated(copy) < (1 << 20), "the copy allocates " + allocated(copy) + " bytes");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(copy)) {
                ByteBuffer b = ByteBuffer.allocate(6);
                ch.read(b, 1L << 30);
                assertEquals("middle", new String(b.array(), StandardCharsets.US_ASCII));
            }
            assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
            Path restored = Files.createDirectories(shm.resolve("restored"));
            TmpfsBackup.restoreIfEmpty(Posix.get(), restored, backups, n -> { });
            assertEquals(size, Files.size(restored.resolve("sparse")));
            assertTrue(allocated(restored.resolve("sparse")) < (1 << 20), "the restore allocates "
                    + allocated(restored.resolve("sparse")) + " bytes");
        } finally {
            try (java.util.stream.Stream<Path> all = Files.walk(shm)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static long allocated(Path file) throws java.io.IOException {
        int fd = Posix.get().openat(Flags.AT_FDCWD, file.toString(), Flags.O_RDONLY, 0);
        try {
            return Posix.get().fstat(fd).blocks * 512;
        } finally {
            Posix.get().close(fd);
        }
    }

    /** A FIFO is made, not read (reading one waits for a writer forever); hard links stay links, both ways. */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void fifosAndHardLinksAreCopiedAsWhatTheyAre() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, m -> { }, e -> { });
        try {
            gated.mknod("/fifo", 0010640, 0, null);
            Files.writeString(base.resolve("a"), "linked");
            gated.link("/a", "/b");
            backup.snapshot();
        } finally {
            backup.close();
            gated.close();
        }
        Path tree = backups.resolve("current/tree");
        assertEquals("p", kind(tree.resolve("fifo")));
        assertEquals(Files.getAttribute(tree.resolve("a"), "unix:ino"), Files.getAttribute(tree.resolve("b"), "unix:ino"));
        Path restored = Files.createDirectories(tmp.resolve("restored"));
        TmpfsBackup.restoreIfEmpty(Posix.get(), restored, backups, m -> { });
        assertEquals("p", kind(restored.resolve("fifo")));
        assertEquals(0640, (Integer) Files.getAttribute(restored.resolve("fifo"), "unix:mode",
                java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777);
        assertEquals(Files.getAttribute(restored.resolve("a"), "unix:ino"),
                Files.getAttribute(restored.resolve("b"), "unix:ino"));
    }

    /**
     * The daemon runs with umask 0 (programs' modes reach the backing files as asked), and a copy had
     * been made open to every user (its directory 0777, its markers 0666): anyone could replace what a
     * later mount restores as root. The copy is the daemon's alone, whatever the umask.
     */
    @Test
    void theCopyIsTheDaemonsAloneUnderUmaskZero() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, m -> { }, e -> { });
        int umask = Posix.get().umask(0);
        try {
            Files.writeString(base.resolve("a"), "bytes");
            backup.snapshot();
            backup.snapshot(); // the second replaces the first by exchange
        } finally {
            Posix.get().umask(umask);
            backup.close();
            gated.close();
        }
        assertEquals("rwx------", mode(backups.resolve("current")));
        assertEquals("rw-------", mode(backups.resolve("current/started")));
    }

    private static String mode(Path p) throws Exception {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /**
     * Names are bytes, valid UTF-8 or not: a directory, a file and a FIFO named with bytes that are not
     * UTF-8, and extended attributes named so on the file and the directory, are backed up and restored
     * as they are (a copy had failed whole at such an attribute name, so no backup was taken after it).
     */
    @Test
    void namesThatAreNotUtf8AreCopiedByteForByte() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        Posix posix = Posix.get();
        String dir = Names.of(base) + "/d\u00ff";
        String file = dir + "/f\u00fe";
        String attribute = "user.n\u00ff\u0080";
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        TmpfsBackup backup = new TmpfsBackup(posix, base, backups, gated, m -> { }, e -> { });
        try {
            posix.mkdirat(Flags.AT_FDCWD, dir, 0750);
            int fd = posix.openat(Flags.AT_FDCWD, file, Flags.O_WRONLY | Flags.O_CREAT, 0640);
            posix.pwrite(fd, ByteBuffer.allocateDirect(5).put("bytes".getBytes(StandardCharsets.UTF_8)).flip(), 0);
            posix.close(fd);
            posix.lsetxattr(file, attribute, ByteBuffer.allocateDirect(4).put("file".getBytes(StandardCharsets.UTF_8)).flip(), 0);
            posix.lsetxattr(dir, attribute, ByteBuffer.allocateDirect(3).put("dir".getBytes(StandardCharsets.UTF_8)).flip(), 0);
            posix.mknodat(Flags.AT_FDCWD, dir + "/p\u00ff", 0010640, 0);
            backup.snapshot();
        } finally {
            backup.close();
            gated.close();
        }
        Path restored = Files.createDirectories(tmp.resolve("restored"));
        TmpfsBackup.restoreIfEmpty(posix, restored, backups, m -> { });
        String back = Names.of(restored) + "/d\u00ff";
        assertEquals("file", attribute(posix, back + "/f\u00fe", attribute));
        assertEquals("dir", attribute(posix, back, attribute));
        assertEquals(5, posix.lstatAt(Flags.AT_FDCWD, back + "/f\u00fe").size);
        assertEquals(0010640, posix.lstatAt(Flags.AT_FDCWD, back + "/p\u00ff").mode);
        assertEquals(0750, posix.lstatAt(Flags.AT_FDCWD, back).mode & 07777);
    }

    private static String attribute(Posix posix, String path, String name) throws Exception {
        ByteBuffer value = ByteBuffer.allocateDirect(64);
        int n = posix.lgetxattr(path, name, value);
        return StandardCharsets.UTF_8.decode(value.position(0).limit(n)).toString();
    }

    /** "p" for a FIFO, by its file type bits. */
    private static String kind(Path p) throws Exception {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0010000 ? "p" : Integer.toOctalString(mode);
    }
}
