package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * storage_type = hybrid on real mounts: sealed WAL segments go cold and compressed and stay byte-exact
 * under the same inode number; open handles keep working across moves; a renamed (recycled) segment
 * comes back hot; a full hot tier moves the writer's file cold instead of failing; kill -9 during
 * moves loses nothing.
 */
@ExtendWith(NoLeftovers.class)
class HybridIT {
    private static List<String> hybrid(String... more) {
        List<String> lines = new ArrayList<>(List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = regular",
                "hot_directory = ${root}/hot", "cold_storage_type = compressed", "cold_directory = ${root}/cold",
                "cold_timeout_sec = 1", "migration_interval_sec = 1"));
        for (String line : more) { // a key given here replaces the default above
            lines.removeIf(l -> l.startsWith(line.substring(0, line.indexOf('=') + 1)));
            lines.add(line);
        }
        return lines;
    }

    static String tier(Path file) {
        return Run.ok("getfattr", "--absolute-names", "--only-values", "-n", "user.xdevfs.tier", file.toString());
    }

    static void awaitTier(Path file, String tier) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!tier(file).startsWith(tier)) {
            assertTrue(System.nanoTime() < deadline, file + " is still " + tier(file) + " after 20 s");
            Thread.sleep(100);
        }
    }

    /** Moves seg0..seg2 back and forth between the tiers and kills the daemon (-9) at a random point. */
    static void killWhileMoving(Mounted m, Random rnd) throws Exception {
        try {
            Process mover = new ProcessBuilder("sh", "-c", "for t in cold hot cold hot; do for i in 0 1 2; do "
                    + "setfattr -n user.xdevfs.tier -v $t " + m.path("seg") + "$i; done; done")
                    .redirectErrorStream(true).start();
            Thread.sleep(50 + rnd.nextInt(600));
            Run.ok("kill", "-9", Long.toString(m.pid()));
            assertTrue(m.process().waitFor(10, TimeUnit.SECONDS));
            mover.waitFor(20, TimeUnit.SECONDS);
            mover.destroyForcibly();
        } finally {
            m.kill();
        }
    }

    private static List<String> objects(Path tierDir) throws Exception {
        try (Stream<Path> s = Files.list(tierDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".xdevfs")).sorted().toList();
        }
    }

    /**
     * A tier directory other users may write to (here sticky, as a tmpfs mounted without mode= is) is
     * refused at mount with its key: its objects are named by file id, so anyone could take a name
     * before the daemon or, without the sticky bit, replace an object.
     */
    @Test
    void aTierDirectoryOtherUsersCanWriteToIsRefused() throws Exception {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Files.createDirectories(root.resolve("mnt"));
        Path hot = Files.createDirectories(root.resolve("hot"));
        Run.ok("chmod", "1777", hot.toString());
        Files.write(root.resolve("x.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = " + hot,
                "cold_storage_type = compressed", "cold_directory = " + root.resolve("cold")));
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of("mount", "--foreground", "--config", root.resolve("x.ini").toString(), root.resolve("mnt").toString()));
        Run r = Run.in(null, cmd);
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("hot_directory " + hot + " is writable by other users"), r.output());
        assertEquals(1, Run.of("findmnt", "-n", "--mountpoint", root.resolve("mnt").toString()).exit());
        Run.ok("rm", "-rf", root.toString());
    }

    @Test
    void sealedSegmentsGoColdCompressedAndStayByteExactUnderTheirInodeNumber() throws Exception {
        try (Mounted fs = Mounted.start(hybrid())) {
            Path wal = Files.createDirectory(fs.path("pg_wal"));
            List<String> sums = new ArrayList<>();
            List<String> inodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path seg = wal.resolve("00000001000000000000000" + i);
                // WAL-like: compressible records, appended in 8 KiB pieces with fdatasync
                Py.eval(wal, "fd = os.open(d + '/" + seg.getFileName() + "', os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)\n"
                        + "for n in range(512):\n"
                        + "    os.write(fd, (b'record %08d ' % n) * 512)\n"
                        + "    os.fdatasync(fd)\n"
                        + "os.close(fd)");
                sums.add(Run.sha256(seg));
                inodes.add(Run.ok("stat", "-c", "%i", seg.toString()).strip());
                assertTrue(tier(seg).startsWith("hot"), "new files are written hot: " + tier(seg));
            }
            for (int i = 0; i < 3; i++) {
                Path seg = wal.resolve("00000001000000000000000" + i);
                awaitTier(seg, "cold");
                assertTrue(tier(seg).contains("not written for 1 s"), tier(seg));
                assertEquals(sums.get(i), Run.sha256(seg), "byte-exact after the move");
                assertEquals(inodes.get(i), Run.ok("stat", "-c", "%i", seg.toString()).strip(), "same inode number");
            }
            assertEquals(List.of(), objects(fs.root.resolve("hot")), "nothing left in the hot tier");
            long stored = 0;
            for (String o : objects(fs.root.resolve("cold"))) {
                stored += Files.size(fs.root.resolve("cold").resolve(o));
            }
            assertTrue(stored < 3 * (4L << 20) / 4, "the cold tier holds them compressed: " + stored + " bytes");
            assertEquals(1, MonitoringIT.stat(fs, "passthrough_active"),
                    "fuse_passthrough = auto passes a hybrid's hot writers through where the kernel allows it");
            String stats = stats(fs);
            assertTrue(stats.matches("(?s).*hybrid_moves_to_cold_total +3\\b.*"), stats);
            assertTrue(gauge(stats, "compression_ratio") > 5, stats);
            // moves by age ran in the idle scheduling class, at nice 19
            assertEquals(List.of("5", "19"), threadPolicyAndNice(fs.pid(), "xdevfs-migrator"));
        }
    }


    /**
     * A WAL writer of a hot file is passed through (the kernel writes the hot object, the daemon sees no
     * write), as on the hot type alone; the file stays hot while any handle of it is open, even past
     * cold_timeout_sec and against xdevfs tier migrate (EBUSY), and moves, byte-exact, once the last
     * closes; written again when cold, its bytes go to the cold object.
     */
    @Test
    void aPassedThroughWriterKeepsItsFileHotUntilItsLastHandleCloses() throws Exception {
        try (Mounted fs = Mounted.start(hybrid())) { // fuse_passthrough = auto
            assertEquals(1, MonitoringIT.stat(fs, "passthrough_active"), fs.log());
            String seen = Py.eval(fs.mnt, "import time\n"
                    + "w = os.open(d + '/seg', os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)\n"
                    + "for n in range(256):\n"
                    + "    os.write(w, ((b'record %06d ' % n) * 700)[:8192])\n    os.fdatasync(w)\n"
                    + "r = os.open(d + '/seg', os.O_RDONLY)\n"
                    + "tier = lambda: os.getxattr(d + '/seg', 'user.xdevfs.tier').decode().split()[0]\n"
                    + "time.sleep(2.5)\n"
                    + "writing = tier()\n"
                    + "os.close(w)\n"
                    + "try:\n    os.setxattr(d + '/seg', 'user.xdevfs.tier', b'cold')\n    asked = 'moved'\n"
                    + "except OSError as e:\n    asked = errno.errorcode[e.errno]\n"
                    + "time.sleep(2.5)\n"
                    + "reading = tier()\n"
                    + "os.close(r)\n"
                    + "print(writing, asked, reading)");
            assertEquals("hot EBUSY hot", seen, "open, the file stays hot: " + fs.log());
            try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(fs.path("open"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                open.write(java.nio.ByteBuffer.wrap(new byte[5000]));
                Run migrate = MonitoringIT.cli("tier", "migrate", fs.mnt.toString());
                assertEquals(0, migrate.exit(), migrate.output());
                assertTrue(migrate.output().contains("busy files left where they are"), migrate.output());
                assertTrue(tier(fs.path("open")).startsWith("hot"), tier(fs.path("open")));
            }
            Files.delete(fs.path("open"));
            assertTrue(MonitoringIT.stat(fs, "passthrough_opens") >= 1, "the writer was passed through");
            assertEquals(0, MonitoringIT.stat(fs, "write_ops"), "the daemon saw none of the 256 writes");
            String sum = Run.sha256(fs.path("seg"));

            awaitTier(fs.path("seg"), "cold");
            assertEquals(sum, Run.sha256(fs.path("seg")), "moved byte-exact");
            assertTrue(objects(fs.root.resolve("hot")).isEmpty(), "the hot object is gone");
            Files.write(fs.path("seg"), "tail".getBytes(), java.nio.file.StandardOpenOption.APPEND);
            assertTrue(MonitoringIT.stat(fs, "write_ops") >= 1, "a cold file's writes reach the daemon");
            assertEquals(256 * 8192 + 4, Files.size(fs.path("seg")));
            assertEquals("tail", new String(Files.readAllBytes(fs.path("seg")), 256 * 8192, 4));
        }
    }

    /** Fields 41 (scheduling policy: 0 other, 5 idle) and 19 (nice) of /proc/PID/task/TID/stat of the named thread. */
    static List<String> threadPolicyAndNice(long pid, String name) throws java.io.IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3
                    return List.of(f[41 - 3], f[19 - 3]);
                }
            }
        }
        throw new AssertionError("no thread " + name + " in daemon " + pid);
    }

    static double gauge(String stats, String name) {
        return stats.lines().filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length()).strip()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in\n" + stats));
    }

    static String stats(Mounted fs) {
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of("stats", fs.mnt.toString()));
        return Run.ok(cmd.toArray(new String[0]));
    }

    static String xdevfs(String... args) {
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of(args));
        return Run.ok(cmd.toArray(new String[0]));
    }

    /** xdevfs tier status, migrate, pin and unpin; pins persist across a remount and the migrator honours them. */
    @Test
    void tierCommandsShowMoveAndPinFiles() throws Exception {
        Mounted fs = Mounted.start(hybrid("cold_timeout_sec = 2"));
        Path root = fs.root;
        try {
            Path wal = Files.createDirectory(fs.path("wal"));
            for (int i = 1; i <= 3; i++) {
                Files.write(wal.resolve("s" + i), new byte[100_000]);
            }
            String mnt = fs.mnt.toString();
            assertTrue(xdevfs("tier", "status", mnt).contains("wal/s1  hot since it was written"), xdevfs("tier", "status", mnt));
            assertTrue(xdevfs("tier", "migrate", mnt, "wal").contains("3 files (0.3 MiB) are cold"));
            assertTrue(xdevfs("tier", "status", mnt, "wal").contains("hot: 0 files, 0.0 MiB; cold: 3 files, 0.3 MiB"));
            xdevfs("tier", "pin", "hot", wal.resolve("s2").toString());
            assertTrue(xdevfs("tier", "migrate", mnt).contains("1 pinned to the other tier left alone"));
            Path arch = Files.createDirectory(fs.path("archive"));
            xdevfs("tier", "pin", "cold", arch.toString());
            Files.write(arch.resolve("new"), new byte[10]);
            assertTrue(tier(arch.resolve("new")).contains("cold since") && tier(arch.resolve("new"))
                    .contains("made in a directory pinned cold"), tier(arch.resolve("new")));
            assertEquals("", Run.ok("getfattr", "--absolute-names", "-d", "-m", "-", arch.toString()).strip(),
                    "xdevfs's own attributes are not listed");
        } finally {
            fs.close();
        }
        try (Mounted again = Mounted.startOn(root)) {
            Thread.sleep(3500); // the migrator's passes: s2 is older than cold_timeout_sec but pinned
            String status = xdevfs("tier", "status", again.mnt.toString());
            assertTrue(status.contains("wal/s2  hot since") && status.contains("[pinned hot]"), status);
            assertTrue(status.contains("archive/new  cold") && status.contains("[pinned cold]"), status);
            xdevfs("tier", "unpin", again.path("wal").toString());
            awaitTier(again.path("wal/s2"), "cold");
        }
    }

    /**
     * Without passthrough (set here: by default a hybrid passes its hot writers through) every write
     * reaches the daemon, so a file moves with a writer open (with passthrough, a file open for writing
     * stays hot: aPassedThroughWriterKeepsItsFileHotUntilItsLastHandleCloses).
     */
    @Test
    void openHandlesReadAndWriteAcrossMovesBothWays() throws Exception {
        List<String> lines = hybrid("auto_migration = false");
        lines.add(1, "fuse_passthrough = false");
        try (Mounted fs = Mounted.start(lines)) {
            String out = Py.eval(fs.mnt, String.join("\n",
                    "import subprocess",
                    "p = d + '/f'",
                    "w = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)",
                    "r = os.open(p, os.O_RDONLY)",
                    "os.pwrite(w, b'a' * 100000, 0)",
                    "def move(t):",
                    "    subprocess.run(['setfattr', '-n', 'user.xdevfs.tier', '-v', t, p], check=True)",
                    "move('cold')",
                    "t1 = os.getxattr(p, 'user.xdevfs.tier').decode().split()[0]",
                    "os.pwrite(w, b'b' * 1000, 50000)",
                    "os.fsync(w)",
                    "ok1 = os.pread(r, 100000, 0) == b'a' * 50000 + b'b' * 1000 + b'a' * 49000",
                    "move('hot')",
                    "t2 = os.getxattr(p, 'user.xdevfs.tier').decode().split()[0]",
                    "os.ftruncate(w, 60000)",
                    "os.pwrite(w, b'c', 70000)",
                    "ok2 = os.pread(r, 200000, 0) == b'a' * 50000 + b'b' * 1000 + b'a' * 9000 + bytes(10000) + b'c'",
                    "move('cold')",
                    "ok3 = os.fstat(r).st_size == 70001 and os.pread(r, 1, 70000) == b'c'",
                    "print(t1, ok1, t2, ok2, ok3)"));
            assertEquals("cold True hot True True", out.strip());
        }
    }

    @Test
    void aRenamedColdSegmentComesBackHot() throws Exception {
        try (Mounted fs = Mounted.start(hybrid("cold_timeout_sec = 3600"))) {
            Path old = fs.path("000000010000000000000001");
            Files.write(old, new byte[1 << 20]);
            Run.ok("setfattr", "-n", "user.xdevfs.tier", "-v", "cold", old.toString());
            assertTrue(tier(old).startsWith("cold"), tier(old));
            Path recycled = fs.path("000000010000000000000009");
            Files.move(old, recycled); // PostgreSQL recycles a segment by renaming it, then rewrites it
            awaitTier(recycled, "hot");
            assertTrue(tier(recycled).contains("renamed"), tier(recycled));
        }
    }

    /**
     * Claims to come back hot wait while the hot tier is above its low-water mark (here a file pinned
     * hot fills it); renamed files that are deleted meanwhile leave none behind (they had stayed queued
     * for the life of the mount: 38 claims for 17 files under a pg_wal-like writer).
     */
    @Test
    void renamedFilesDeletedWhilePromotionsWaitLeaveNoClaimBehind() throws Exception {
        try (Mounted fs = Mounted.start(hybrid("cold_timeout_sec = 3600", "hot_cache_size = 10M"))) {
            Path pinned = Files.createDirectory(fs.path("pinned"));
            xdevfs("tier", "pin", "hot", pinned.toString());
            Files.write(pinned.resolve("big"), new byte[8 << 20]); // between the marks (7.5 and 9 MiB) for good
            Path dir = Files.createDirectory(fs.path("spool"));
            for (int i = 0; i < 50; i++) {
                Files.write(dir.resolve("tmp" + i), new byte[10]);
                Files.move(dir.resolve("tmp" + i), dir.resolve("msg" + i));
            }
            Thread.sleep(2500); // two passes: the claims wait
            assertEquals(50, IntentLogIT.figure(HybridIT.stats(fs), "hybrid_promotions_queued"));
            Run.ok("rm", "-r", dir.toString());
            assertEquals(0, IntentLogIT.figure(HybridIT.stats(fs), "hybrid_promotions_queued"));
        }
    }

    @Test
    void aFullHotTierMovesTheWritersFileColdInsteadOfFailing() throws Exception {
        List<String> lines = new ArrayList<>(List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = tmpfs",
                "hot_directory = ${root}/hot", "cold_storage_type = regular", "cold_directory = ${root}/cold",
                "auto_migration = false", "[tmpfs]", "auto_mount = true", "tmpfs_size = 8M"));
        Mounted fs = Mounted.start(lines);
        try {
            Path big = fs.path("big");
            Path src = fs.root.resolve("src");
            Run.ok("dd", "if=/dev/urandom", "of=" + src, "bs=1M", "count=20", "status=none");
            Run.ok("dd", "if=" + src, "of=" + big, "bs=64k", "conv=fsync", "status=none");
            assertEquals(Run.sha256(src), Run.sha256(big));
            assertTrue(tier(big).startsWith("cold") && tier(big).contains("hot tier full"), tier(big));
            assertTrue(stats(fs).matches("(?s).*hybrid_full_hot_writes_total +[1-9].*"), stats(fs));
            assertTrue(fs.log().contains("the hybrid's hot tier (tmpfs, " + fs.root.resolve("hot")
                    + "): files live in memory; fsync returns once data is in the tmpfs and does not survive a reboot"),
                    fs.log());
            Files.write(fs.path("small"), "still hot".getBytes());
            assertTrue(tier(fs.path("small")).startsWith("hot"), "the hot tier has room again");
        } finally {
            fs.close();
            Run.of("umount", fs.root.resolve("hot").toString());
        }
    }

    /**
     * kill -9 while files move (forced moves of 24 MiB files, killed at random points), then a remount:
     * every file byte-exact, held by exactly one object, no copy left half-made.
     */
    @Test
    void killDuringMovesLosesNothing() throws Exception {
        Mounted fs = Mounted.start(hybrid("auto_migration = false"));
        Path root = fs.root;
        Random rnd = new Random(5);
        List<String> sums = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Path f = fs.path("seg" + i);
                Run.ok("dd", "if=/dev/urandom", "of=" + f, "bs=1M", "count=24", "conv=fsync", "status=none");
                sums.add(Run.sha256(f));
            }
        } finally {
            fs.close();
        }
        for (int round = 0; round < 4; round++) {
            killWhileMoving(Mounted.startOn(root), rnd);
            try (Mounted again = Mounted.startOn(root)) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(sums.get(i), Run.sha256(again.path("seg" + i)), "round " + round + ": seg" + i);
                }
                List<String> all = new ArrayList<>(objects(root.resolve("hot")));
                all.addAll(objects(root.resolve("cold")));
                assertEquals(3, all.size(), "round " + round + ": one object per file, no part: " + all);
                assertEquals(3, all.stream().distinct().count(), "round " + round + ": " + all);
            }
        }
    }
}
