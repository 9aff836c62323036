package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * storage_type = tmpfs with an intent log on a real mount: fsync is durable. A simulated reboot
 * (kill -9 of the daemon, then the tmpfs unmounted) at random moments of an fsync'd append workload
 * and a namespace workload loses no acknowledged byte or name; a log that cannot write turns fsync
 * into EIO and health says why.
 */
@ExtendWith(NoLeftovers.class)
class IntentLogIT {
    /** Rounds of the reboot test: the suite runs a few; {@code -Dxdevfs.intentLogRounds=100} runs the hundred. */
    private static final int ROUNDS = Integer.getInteger("xdevfs.intentLogRounds", 8);

    /**
     * Appends 8 KiB records to {@code wal} with an fdatasync each, and every fourth record makes a
     * segment the way WAL writers do (write a temporary file, fsync, rename into place, drop the
     * segment three back, fsync the directory). Each acknowledgement is written to the journal
     * (outside the mount) only after the call returned.
     */
    private static final String WORKLOAD = "import os, sys\n"
            + "d, journal = sys.argv[1], sys.argv[2]\n"
            + "j = open(journal, 'w', buffering=1)\n"
            + "os.mkdir(d + '/ns')\n"
            + "fd = os.open(d + '/wal', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)\n"
            + "dfd = os.open(d + '/ns', os.O_RDONLY)\n"
            + "i = 0\n"
            + "while True:\n"
            + "    os.write(fd, (b'%08d' % i) * 1024)\n"
            + "    os.fdatasync(fd)\n"
            + "    j.write('A %d\\n' % i)\n"
            + "    if i % 4 == 0:\n"
            + "        k = i // 4\n"
            + "        t = d + '/ns/tmp.%d' % k\n"
            + "        f = os.open(t, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)\n"
            + "        os.write(f, b'segment %d' % k)\n"
            + "        os.fsync(f)\n"
            + "        os.close(f)\n"
            + "        os.rename(t, d + '/ns/seg.%d' % k)\n"
            + "        if k >= 3:\n"
            + "            os.unlink(d + '/ns/seg.%d' % (k - 3))\n"
            + "        os.fsync(dfd)\n"
            + "        j.write('N %d\\n' % k)\n"
            + "    i += 1\n";

    /** A figure of {@code xdevfs stats}, -1 when absent. */
    static double figure(String stats, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\s+([0-9.]+)").matcher(stats);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** Starts {@link #WORKLOAD} in a new directory NAME of the mount, journaling to {@code journal}. */
    private static Process startWorkload(Mounted fs, String name, Path journal) throws java.io.IOException {
        Path script = fs.root.resolve("workload.py");
        Files.writeString(script, WORKLOAD);
        Path dir = Files.createDirectory(fs.path(name));
        return new ProcessBuilder(Py.PYTHON, script.toString(), dir.toString(), journal.toString())
                .redirectErrorStream(true).redirectOutput(fs.root.resolve("workload-" + name + ".out").toFile()).start();
    }

    static List<String> config() {
        return List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "tmpfs_size = 512M",
                "backup_to_disk = true", "backup_interval_sec = 2", "backup_directory = ${root}/backup",
                "intent_log_directory = ${root}/intent-log", "intent_log_size = 64M");
    }

    @Test
    void everyAcknowledgedFsyncSurvivesKill9AndTheTmpfsGoing() throws Exception {
        Mounted fs = Mounted.start(config());
        Path root = fs.root;
        Random rnd = new Random(19);
        long records = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Path journal = root.resolve("journal-" + round);
                Process workload = startWorkload(fs, "r" + round, journal);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!Files.exists(journal) && System.nanoTime() < deadline) { // python is up
                    Thread.sleep(5);
                }
                Thread.sleep(50 + rnd.nextInt(700));
                fs.kill(); // kill -9, at whatever the workload was doing
                workload.destroyForcibly();
                workload.waitFor(10, TimeUnit.SECONDS);
                fs.unmountBaseTmpfs(); // and the tmpfs is gone, as after a reboot
                fs = Mounted.startOn(root);
                records += verify(fs.path("r" + round), journal, "round " + round + "\n" + fs.log());
                if (round > 0) { // the round before survived a second reboot too
                    verify(fs.path("r" + (round - 1)), root.resolve("journal-" + (round - 1)), "round " + (round - 1));
                    Run.ok("rm", "-rf", fs.path("r" + (round - 1)).toString());
                }
            }
            assertTrue(records > ROUNDS * 20L, "acknowledged records checked: " + records);
            assertTrue(fs.log().contains("replayed"), fs.log());
            System.err.println("intent log: " + ROUNDS + " reboots, " + records + " acknowledged appends checked");
        } finally {
            fs.close();
        }
    }

    /**
     * With the smallest log (a checkpoint every 16 MiB of records) and copies every second, checkpoints
     * run all through a few seconds of fdatasync'd appends, each bringing the copy before up to date in
     * place while the writer goes on: kill -9 and the tmpfs gone at the end of each round, every
     * acknowledged append is there after the remount.
     */
    @Test
    void checkpointsDuringAStreamOfAppendsLoseNoAcknowledgedFsync() throws Exception {
        List<String> config = List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "tmpfs_size = 512M",
                "backup_to_disk = true", "backup_interval_sec = 1", "backup_directory = ${root}/backup",
                "intent_log_directory = ${root}/intent-log", "intent_log_size = 32M");
        Mounted fs = Mounted.start(config);
        Path root = fs.root;
        long records = 0;
        try {
            for (int round = 0; round < 3; round++) {
                Path journal = root.resolve("journal-s" + round);
                Process workload = startWorkload(fs, "s" + round, journal);
                Thread.sleep(3000 + 700L * round);
                String stats = HybridIT.stats(fs);
                assertTrue(figure(stats, "tmpfs_backups_total") >= 2, stats); // the mount's and later ones
                assertTrue(figure(stats, "tmpfs_backup_files_patched_last") >= 1, stats);
                fs.kill();
                workload.destroyForcibly();
                workload.waitFor(10, TimeUnit.SECONDS);
                fs.unmountBaseTmpfs();
                fs = Mounted.startOn(root);
                records += verify(fs.path("s" + round), journal, "round " + round + "\n" + fs.log());
                Run.ok("rm", "-rf", fs.path("s" + round).toString());
            }
            assertTrue(records > 3000, "acknowledged records checked: " + records);
        } finally {
            fs.close();
        }
    }

    /** Appends argv[2] 8 KiB records with an fdatasync each to the file argv[1], once argv[3] (if given) exists. */
    private static final String APPENDER = "import os, sys, time\n"
            + "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)\n"
            + "while len(sys.argv) > 3 and not os.path.exists(sys.argv[3]):\n"
            + "    time.sleep(0.005)\n"
            + "for i in range(int(sys.argv[2])):\n"
            + "    os.write(fd, b'r' * 8192)\n"
            + "    os.fdatasync(fd)\n";

    /**
     * A lone writer's syncs run on the session thread (no hand-off); four writers' syncs run on sync
     * threads at once and share the log's forces (fuse_sync_threads, the default 8).
     */
    @Test
    void concurrentWritersShareForcesAndALoneWriterKeepsTheSessionThread() throws Exception {
        try (Mounted fs = Mounted.start(config())) {
            Run.ok(Py.PYTHON, "-c", APPENDER, fs.path("alone").toString(), "300");
            String stats = HybridIT.stats(fs);
            assertEquals(0, HybridIT.gauge(stats, "fuse_syncs_offloaded"), stats);
            double records = HybridIT.gauge(stats, "intent_log_records_total");
            double forces = HybridIT.gauge(stats, "intent_log_forces_total");
            List<Process> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                writers.add(new ProcessBuilder(Py.PYTHON, "-c", APPENDER, fs.path("w" + w).toString(), "400",
                        fs.path("go").toString()).redirectErrorStream(true).start());
            }
            Thread.sleep(500); // every writer has started and opened its file: they begin together
            Files.writeString(fs.path("go"), "");
            for (Process w : writers) {
                assertTrue(w.waitFor(120, TimeUnit.SECONDS), "a writer did not finish");
                assertEquals(0, w.exitValue(), new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            stats = HybridIT.stats(fs);
            assertTrue(HybridIT.gauge(stats, "fuse_syncs_offloaded") > 800, stats);
            double perForce = (HybridIT.gauge(stats, "intent_log_records_total") - records)
                    / (HybridIT.gauge(stats, "intent_log_forces_total") - forces);
            assertTrue(perForce > 1.3, perForce + " records per force with four writers\n" + stats);
            for (int w = 0; w < 4; w++) {
                assertEquals(400 * 8192L, Files.size(fs.path("w" + w)));
            }
        }
    }

    /** The same reboot on a hybrid whose hot tier is a tmpfs with the log: the [tmpfs] section configures that tier. */
    @Test
    void aHybridsTmpfsHotTierIsDurableThroughTheLog() throws Exception {
        Mounted fs = Mounted.start(List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = tmpfs",
                "hot_directory = ${root}/hot", "cold_storage_type = compressed", "cold_directory = ${root}/cold",
                "[tmpfs]", "auto_mount = true", "tmpfs_size = 256M", "backup_to_disk = true",
                "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log"));
        Path root = fs.root;
        Path script = root.resolve("workload.py");
        Files.writeString(script, WORKLOAD);
        try {
            assertTrue(fs.log().contains("the hybrid's hot tier (tmpfs") && fs.log().contains("fsync is durable"),
                    fs.log());
            Path journal = root.resolve("journal");
            Files.createDirectory(fs.path("wal"));
            Process workload = new ProcessBuilder(Py.PYTHON, script.toString(), fs.path("wal").toString(),
                    journal.toString()).redirectErrorStream(true).redirectOutput(root.resolve("workload.out").toFile())
                    .start();
            Thread.sleep(1500);
            fs.kill();
            workload.destroyForcibly();
            workload.waitFor(10, TimeUnit.SECONDS);
            Run.ok("umount", root.resolve("hot").toString()); // the hot tier is gone, as after a reboot
            fs = Mounted.startOn(root);
            assertTrue(fs.log().contains("replayed"), fs.log());
            long records = verify(fs.path("wal"), journal, fs.log());
            assertTrue(records > 20, "acknowledged appends: " + records);
        } finally {
            fs.close();
            Run.of("umount", root.resolve("hot").toString());
        }
    }

    /**
     * One fsync of 300 MiB written at once (dd conv=fsync, bonnie++): the log takes it in bounded
     * pieces within the daemon's 128 MiB heap (its records had exhausted that heap, and the fsync
     * failed with ENOMEM), and the bytes survive a simulated reboot before any backup took them.
     */
    @Test
    void aLargeFsyncFitsTheDaemonsHeapAndSurvivesAReboot() throws Exception {
        Mounted fs = Mounted.start(List.of("storage_type = tmpfs", "[tmpfs]", "auto_mount = true",
                "tmpfs_size = 512M", "backup_to_disk = true", "backup_interval_sec = 3600",
                "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log",
                "intent_log_size = 1G"));
        Path root = fs.root;
        try {
            Path file = fs.path("big");
            Run.ok("dd", "if=/dev/urandom", "of=" + file, "bs=1M", "count=300", "conv=fsync", "status=none");
            String sum = Run.sha256(file);
            assertFalse(fs.log().contains("OutOfMemoryError"), fs.log());
            fs.kill();
            fs.unmountBaseTmpfs();
            fs = Mounted.startOn(root);
            assertTrue(fs.log().contains("replayed"), fs.log());
            assertEquals(sum, Run.sha256(fs.path("big")), fs.log());
        } finally {
            fs.close();
        }
    }

    /** Checks what the journal says was acknowledged; returns the number of appends acknowledged. */
    private static long verify(Path dir, Path journal, String context) throws Exception {
        long lastAppend = -1;
        long lastSegment = -1;
        for (String line : Files.exists(journal) ? Files.readAllLines(journal) : List.<String>of()) {
            if (line.startsWith("A ")) {
                lastAppend = Long.parseLong(line.substring(2));
            } else if (line.startsWith("N ")) {
                lastSegment = Long.parseLong(line.substring(2));
            }
        }
        if (lastAppend >= 0) {
            byte[] wal = Files.readAllBytes(dir.resolve("wal"));
            assertTrue(wal.length >= (lastAppend + 1) * 8192, "wal has " + wal.length + " bytes, acknowledged "
                    + (lastAppend + 1) + " records: " + context);
            for (int i = 0; i <= lastAppend; i++) {
                byte[] expected = String.format("%08d", i).repeat(1024).getBytes(StandardCharsets.US_ASCII);
                byte[] got = java.util.Arrays.copyOfRange(wal, i * 8192, (i + 1) * 8192);
                assertArrayEquals(expected, got, "record " + i + " of " + (lastAppend + 1) + ": " + context);
            }
        }
        for (long k = 0; k <= lastSegment; k++) {
            assertFalse(Files.exists(dir.resolve("ns/tmp." + k)), "tmp." + k + " was renamed: " + context);
            // The step after the last acknowledged one may have become durable before its acknowledgement
            // was written down: then its rename came first (the log keeps their order) and it unlinked one more.
            boolean nextStepDone = Files.exists(dir.resolve("ns/seg." + (lastSegment + 1)));
            if (k > lastSegment - 3 && !(k == lastSegment - 2 && nextStepDone && !Files.exists(dir.resolve("ns/seg." + k)))) {
                assertEquals("segment " + k, Files.readString(dir.resolve("ns/seg." + k)), context);
            } else {
                assertFalse(Files.exists(dir.resolve("ns/seg." + k)), "seg." + k + " was unlinked: " + context);
            }
        }
        return lastAppend + 1;
    }

    /** chattr +i: even root cannot write the file; how a test makes the log's disk refuse writes. */
    private static void immutable(Path dir, boolean on) {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Run.ok("chattr", on ? "+i" : "-i", p.toString());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        Run.ok("chattr", on ? "+i" : "-i", dir.toString());
    }

    /**
     * Neither the log nor the backups can be written: fsync answers EIO, never success, and health
     * says why. Once the disk takes writes again, a sync brings the log back through a checkpoint (it
     * had stayed failed until the next mount).
     */
    @Test
    void aLogThatCannotWriteFailsFsyncWithEioAndHealthSaysWhy() throws Exception {
        try (Mounted fs = Mounted.start(config()).expectingFailuresWith("tmpfs backup to")) {
            Path log = fs.root.resolve("intent-log");
            Path backup = fs.root.resolve("backup");
            assertEquals("OK", Py.errno(fs.mnt, "fd = os.open(d + '/f', os.O_WRONLY | os.O_CREAT)\n"
                    + "os.write(fd, b'x' * 8192)\nos.fdatasync(fd)"));
            assertEquals(0, cli("health", fs.mnt.toString()).exit());
            immutable(log, true);
            immutable(backup, true); // else a checkpoint would take the sync's bytes, and the sync would succeed
            try {
                assertEquals("EIO", Py.errno(fs.mnt, "fd = os.open(d + '/f', os.O_WRONLY)\n"
                        + "os.write(fd, b'y' * 8192)\nos.fdatasync(fd)"), "fsync never lies");
                assertEquals("EIO", Py.errno(fs.mnt, "fd = os.open(d + '/g', os.O_WRONLY | os.O_CREAT)\nos.fsync(fd)"),
                        "nor does any later one");
                Run health = cli("health", fs.mnt.toString());
                assertEquals(1, health.exit(), health.output());
                assertTrue(health.output().contains("intent log"), health.output());
                assertTrue(HybridIT.stats(fs).contains("intent_log_healthy"), HybridIT.stats(fs));
            } finally {
                immutable(log, false);
                immutable(backup, false);
            }
            String sync = "fd = os.open(d + '/f', os.O_WRONLY)\nos.pwrite(fd, b'z' * 8192, 8192)\nos.fdatasync(fd)";
            long deadline = System.nanoTime() + 20_000_000_000L; // a checkpoint every 2 s, a sync's try every 5 s
            while (!"OK".equals(Py.errno(fs.mnt, sync)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals("OK", Py.errno(fs.mnt, sync), "the log works again");
            assertTrue(HybridIT.stats(fs).matches("(?s).*intent_log_recoveries_total\\s+[1-9].*"), HybridIT.stats(fs));
            assertTrue(HybridIT.stats(fs).matches("(?s).*intent_log_healthy\\s+1\\b.*"), HybridIT.stats(fs));
        }
    }

    /**
     * PostgreSQL with pg_wal on the mount: one insert per transaction (synchronous_commit on), each
     * printed by psql only once its commit returned; the daemon dies and the tmpfs goes mid-stream;
     * after a remount and crash recovery every printed row is in the table.
     */
    @Test
    void postgresCommitsSurviveTheDaemonAndTheTmpfsGoingMidWorkload() throws Exception {
        Path initdb = PostgresIT.tool("initdb");
        Path pgCtl = PostgresIT.tool("pg_ctl");
        Path psql = PostgresIT.tool("psql");
        if (initdb == null || pgCtl == null || psql == null) {
            System.err.println("\n!!!!!!!!!! POSTGRESQL NOT INSTALLED - IntentLogIT's PostgreSQL test NOT RUN !!!!!!!!!!\n");
            org.junit.jupiter.api.Assumptions.abort("PostgreSQL is not installed");
        }
        Mounted fs = Mounted.start(config());
        Path root = fs.root;
        Path cluster = root.resolve("pg");
        String data = cluster.resolve("data").toString();
        String[] start = {"-D", data, "-l", cluster.resolve("log").toString(), "-w", "-o",
            "-k " + cluster + " -c listen_addresses= -c fsync=on -c synchronous_commit=on", "start"};
        try {
            Files.createDirectories(cluster);
            Files.createDirectory(fs.path("pg_wal"));
            Run.ok("chown", "nobody", cluster.toString(), fs.path("pg_wal").toString(), root.toString());
            PostgresIT.asNobody(initdb, "-D", data, "--waldir=" + fs.path("pg_wal"), "-A", "trust");
            PostgresIT.asNobody(pgCtl, start);
            PostgresIT.asNobody(psql, "-h", cluster.toString(), "-qAt", "-c", "create table t (i int primary key)",
                    "postgres");
            StringBuilder sql = new StringBuilder();
            for (int i = 1; i <= 200_000; i++) {
                sql.append("insert into t values (").append(i).append(") returning i;\n");
            }
            Path script = root.resolve("inserts.sql");
            Files.writeString(script, sql);
            Run.ok("chown", "nobody", script.toString());
            Path acked = root.resolve("acked");
            Process inserts = new ProcessBuilder("runuser", "-u", "nobody", "--", psql.toString(), "-h",
                    cluster.toString(), "-qAt", "-v", "ON_ERROR_STOP=1", "-f", script.toString(), "postgres")
                    .redirectOutput(acked.toFile()).redirectError(root.resolve("psql.err").toFile()).start();
            Thread.sleep(3000);
            fs.kill(); // the daemon dies mid-commit ...
            fs.unmountBaseTmpfs(); // ... and the tmpfs with it
            assertTrue(inserts.waitFor(60, TimeUnit.SECONDS), "psql ends once the server cannot write its WAL");
            PostgresIT.killCluster(cluster.resolve("data"));
            Files.deleteIfExists(cluster.resolve("data/postmaster.pid"));
            List<String> rows = Files.readAllLines(acked).stream().filter(l -> l.matches("\\d+")).toList();
            long last = rows.isEmpty() ? 0 : Long.parseLong(rows.get(rows.size() - 1));
            assertEquals(last, rows.size(), "psql printed each committed row in order");
            assertTrue(last > 20, "commits acknowledged before the crash: " + last);

            fs = Mounted.startOn(root);
            assertTrue(fs.log().contains("replayed"), fs.log());
            PostgresIT.asNobody(pgCtl, start);
            try {
                assertTrue(Files.readString(cluster.resolve("log")).contains("redo"), "crash recovery ran");
                String kept = PostgresIT.asNobody(psql, "-h", cluster.toString(), "-qAt", "-c",
                        "select count(*) from t where i <= " + last, "postgres");
                assertEquals(Long.toString(last), kept, "every acknowledged commit survived");
                System.err.println("intent log under PostgreSQL: " + last + " acknowledged commits, all recovered");
            } finally {
                PostgresIT.asNobody(pgCtl, "-D", data, "-m", "fast", "stop");
            }
        } finally {
            PostgresIT.killCluster(cluster.resolve("data"));
            fs.close();
        }
    }

    static Run cli(String... args) {
        List<String> cmd = new java.util.ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of(args));
        return Run.in(null, cmd);
    }
}
