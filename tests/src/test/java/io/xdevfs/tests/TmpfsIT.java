package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage_type = tmpfs: a verified or mounted tmpfs, ENOSPC at tmpfs_size, and backups that survive a "reboot". */
@ExtendWith(NoLeftovers.class)
class TmpfsIT {

    @Test
    void anAutoMountedTmpfsIsBoundedByTmpfsSizeAndEnospcLosesNothing() throws Exception {
        try (Mounted fs = Mounted.start(List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true",
                "tmpfs_size = 16M"))) {
            assertEquals("tmpfs", Run.ok("findmnt", "-n", "-o", "FSTYPE", "--mountpoint", fs.base.toString()).strip());
            // a tmpfs's own default is 1777: the WAL directory would be open to every user's files
            assertEquals("755", Run.ok("stat", "-c", "%a", fs.mnt.toString()).strip());
            Path kept = fs.path("kept");
            Run.ok("dd", "if=/dev/urandom", "of=" + kept, "bs=1M", "count=8", "conv=fsync", "status=none");
            String before = Run.sha256(kept);
            Run tooBig = Run.of("dd", "if=/dev/urandom", "of=" + fs.path("big"), "bs=1M", "count=16", "conv=fsync",
                    "status=none");
            assertNotEquals(0, tooBig.exit());
            assertTrue(tooBig.output().contains("No space left on device"), tooBig.output());
            assertEquals(before, Run.sha256(kept));
            Files.delete(fs.path("big"));
            Files.writeString(fs.path("after"), "room again");
            assertEquals("room again", Files.readString(fs.path("after")));
            assertTrue(fs.log().contains("does not survive a reboot"), fs.log());
        }
    }

    @Test
    void aBaseDirectoryThatIsNotATmpfsIsRefusedWithTheReason() throws Exception {
        Path root = TestDirs.create();
        Files.createDirectories(root.resolve("mnt"));
        Files.createDirectories(root.resolve("base"));
        Files.write(root.resolve("x.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "storage_type = tmpfs"));
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of("mount", "--foreground", "--config", root.resolve("x.ini").toString(),
                root.resolve("mnt").toString()));
        Run r = Run.in(null, cmd);
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("is not on a tmpfs") && r.output().contains("auto_mount = true"), r.output());
        assertEquals(1, Run.of("findmnt", "-n", "--mountpoint", root.resolve("mnt").toString()).exit());
    }

    /**
     * Regression: a mount refused for its intent log directory (a file there) had already mounted the
     * tmpfs it was to use, and left it mounted. The directories are checked before the tmpfs is mounted.
     */
    @Test
    void aMountRefusedForItsLogDirectoryLeavesNoTmpfsBehind() throws Exception {
        Path root = TestDirs.create();
        Files.createDirectories(root.resolve("mnt"));
        Files.writeString(root.resolve("log"), "a file where the log directory should be");
        Files.write(root.resolve("x.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "tmpfs_size = 16M", "backup_to_disk = true",
                "backup_directory = " + root.resolve("backup"), "intent_log_directory = " + root.resolve("log")));
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of("mount", "--foreground", "--config", root.resolve("x.ini").toString(),
                root.resolve("mnt").toString()));
        Run r = Run.in(null, cmd);
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("exists and is not a directory"), r.output());
        assertEquals(1, Run.of("findmnt", "-n", "--mountpoint", root.resolve("base").toString()).exit(),
                "a tmpfs was left on the base directory");
    }

    /**
     * Two mounts naming one backup directory (or one intent log directory) would replace each other's
     * copies, and a reboot would restore one's files into the other: the second is refused with who holds
     * it, mounts no tmpfs, and the first goes on serving.
     */
    @Test
    void aSecondMountOnTheSameBackupOrLogDirectoryIsRefused() throws Exception {
        Path shared = TestDirs.create("xdevfs-shared-");
        Mounted first = Mounted.start(List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "tmpfs_size = 16M",
                "backup_to_disk = true", "backup_directory = " + shared.resolve("backup"),
                "intent_log_directory = " + shared.resolve("log")));
        try {
            Files.writeString(first.path("kept"), "first");
            for (String key : List.of("backup_directory", "intent_log_directory")) {
                Path root = TestDirs.create();
                Files.createDirectories(root.resolve("mnt"));
                Files.write(root.resolve("x.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                        "storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "tmpfs_size = 16M", "backup_to_disk = true",
                        "backup_directory = " + (key.equals("backup_directory") ? shared.resolve("backup") : root.resolve("backup")),
                        "intent_log_directory = " + (key.equals("backup_directory") ? root.resolve("log") : shared.resolve("log"))));
                List<String> cmd = new ArrayList<>(Mounted.javaCommand());
                cmd.addAll(List.of("mount", "--foreground", "--config", root.resolve("x.ini").toString(),
                        root.resolve("mnt").toString()));
                Run r = Run.in(null, cmd);
                assertEquals(1, r.exit(), r.output());
                assertTrue(r.output().contains(key + " ") && r.output().contains("is in use by the xdevfs daemon (pid "
                        + first.pid() + ")"), r.output());
                assertEquals(1, Run.of("findmnt", "-n", "--mountpoint", root.resolve("base").toString()).exit(),
                        "a tmpfs was left on the refused mount's base directory");
            }
            assertEquals("first", Files.readString(first.path("kept")));
            Files.writeString(first.path("after"), "still serving");
        } finally {
            first.close();
        }
    }

    /**
     * Periodic backups survive kill -9 plus the tmpfs going away (a reboot); the copy at clean unmount
     * holds the last change even with an interval too long to have run.
     */
    @Test
    void backupsRestoreEverythingAfterTheTmpfsIsGone() throws Exception {
        Path backup = TestDirs.create("xdevfs-backup-");
        Mounted fs = Mounted.start(List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true",
                "backup_to_disk = true", "backup_interval_sec = 1", "backup_directory = " + backup));
        Path root = fs.base.getParent();
        try {
            Files.createDirectories(fs.path("pg_wal/archive"));
            Run.ok("dd", "if=/dev/urandom", "of=" + fs.path("pg_wal/seg"), "bs=64k", "count=32", "status=none");
            Run.ok("chmod", "0640", fs.path("pg_wal/seg").toString());
            Files.createSymbolicLink(fs.path("latest"), Path.of("pg_wal/seg"));
            String sum = Run.sha256(fs.path("pg_wal/seg"));
            Files.writeString(fs.path("late"), "written after the first backups");
            String inodes = Run.ok("stat", "-c", "%i", fs.path("pg_wal/seg").toString(), fs.path("pg_wal").toString(),
                    fs.path("late").toString());
            awaitFile(backup.resolve("current/tree/late"));
            // the daemon's umask is 0: the copy, which a later mount restores as root, must still be its alone
            assertEquals("700", Run.ok("stat", "-c", "%a", backup.resolve("current").toString()).strip());
            Thread.sleep(1500); // and a backup after it, which links the unchanged segment
            fs.kill();
            fs.unmountBaseTmpfs(); // what a reboot does to a tmpfs

            Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + fs.base,
                    "storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "backup_to_disk = true",
                    "backup_interval_sec = 3600", "backup_directory = " + backup));
            fs = Mounted.startOn(root);
            assertTrue(fs.log().contains("restored 4 files"), fs.log()); // seg, latest, late and the volume header
            assertEquals(sum, Run.sha256(fs.path("pg_wal/seg")));
            assertEquals("640", Run.ok("stat", "-c", "%a", fs.path("pg_wal/seg").toString()).strip());
            assertEquals("pg_wal/seg", Files.readSymbolicLink(fs.path("latest")).toString());
            assertTrue(Files.isDirectory(fs.path("pg_wal/archive")));
            assertEquals("written after the first backups", Files.readString(fs.path("late")));
            assertEquals(inodes, Run.ok("stat", "-c", "%i", fs.path("pg_wal/seg").toString(), fs.path("pg_wal").toString(),
                    fs.path("late").toString()), "a restored file or directory is the same file (its xdevfs id)");
            Files.writeString(fs.path("new"), "x");
            String fresh = Run.ok("stat", "-c", "%i", fs.path("new").toString()).strip();
            assertTrue(!inodes.contains(fresh), "a new file's id " + fresh + " is none of the restored " + inodes);

            Files.writeString(fs.path("final"), "only the unmount copy has this");
            fs.close();
            assertEquals("only the unmount copy has this", Files.readString(backup.resolve("current/tree/final")));
            assertTrue(fs.log().contains("backed up"), fs.log());
        } finally {
            fs.kill();
            fs.unmountBaseTmpfs();
            Run.ok("rm", "-rf", backup.toString());
        }
    }

    /**
     * Backups that fail (an immutable backup directory here, a full disk in life) make health unhealthy
     * with the reason and count in background_failures_total; they showed only in the daemon's log.
     */
    @Test
    void failingBackupsMakeHealthSayWhy() throws Exception {
        Path backup = TestDirs.create("xdevfs-backup-");
        try (Mounted fs = Mounted.start(List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true",
                "backup_to_disk = true", "backup_interval_sec = 1", "backup_directory = " + backup))
                .expectingFailuresWith("tmpfs backup to")) {
            Files.writeString(fs.path("f"), "x");
            awaitFile(backup.resolve("current/tree/f"));
            assertEquals(0, IntentLogIT.cli("health", fs.mnt.toString()).exit());
            Run.ok("chattr", "+i", backup.toString());
            try {
                Files.writeString(fs.path("g"), "y");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                Run health = IntentLogIT.cli("health", fs.mnt.toString());
                while (health.exit() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(300);
                    health = IntentLogIT.cli("health", fs.mnt.toString());
                }
                assertEquals(1, health.exit(), health.output());
                assertTrue(health.output().contains("own work") && health.output().contains("tmpfs backup to"),
                        health.output());
                assertTrue(HybridIT.stats(fs).matches("(?s).*background_failures_total\\s+[1-9].*"), HybridIT.stats(fs));
            } finally {
                Run.ok("chattr", "-i", backup.toString());
            }
        } finally {
            Run.ok("rm", "-rf", backup.toString());
        }
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!Files.exists(p)) {
            assertTrue(System.nanoTime() < deadline, "no backup of " + p + " within 15 s");
            Thread.sleep(100);
        }
    }
}
