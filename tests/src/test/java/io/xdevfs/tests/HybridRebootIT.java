package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hybrid whose hot tier is a tmpfs made durable by the intent log, rebooted (kill -9 of the daemon,
 * then the tmpfs unmounted) while everything that touches a file's bytes at once runs under a WAL
 * writer: sealed segments moving cold and, recycled, back hot; checkpoints patching the copy before;
 * the log trimmed by both. The writer ({@code workloads/recycling_segments.py}) writes pg_wal's way:
 * most writes fdatasync'd, segments renamed for reuse and overwritten in place, old ones unlinked;
 * after every remount {@code recycling_segments_check.py} compares every acknowledged record and name
 * with its journal.
 */
@ExtendWith(NoLeftovers.class)
class HybridRebootIT {
    private static final int ROUNDS = 4;

    @Test
    void segmentsMovingAndRecycledThroughRebootsKeepEverySyncedRecordAndName() throws Exception {
        Mounted fs = Mounted.start(List.of("storage_type = hybrid", "[hybrid]", "hot_storage_type = tmpfs",
                "hot_directory = ${root}/hot", "cold_storage_type = compressed", "cold_directory = ${root}/cold",
                "cold_timeout_sec = 1", "migration_interval_sec = 1", "hot_cache_size = 2M",
                "[tmpfs]", "auto_mount = true", "tmpfs_size = 256M", "backup_to_disk = true", "backup_interval_sec = 1",
                "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log", "intent_log_size = 32M"));
        Path root = fs.root;
        Path journal = root.resolve("journal");
        Path dir = Files.createDirectory(fs.path("pg_wal"));
        Random rnd = new Random(18);
        double movedCold = 0;
        double movedHot = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Process writer = new ProcessBuilder(Py.PYTHON, workload("recycling_segments.py"), dir.toString(),
                        journal.toString(), Integer.toString(round)).redirectErrorStream(true)
                        .redirectOutput(root.resolve("writer-" + round + ".out").toFile()).start();
                Thread.sleep(2500 + rnd.nextInt(1500));
                String stats = HybridIT.stats(fs);
                movedCold += IntentLogIT.figure(stats, "hybrid_moves_to_cold_total");
                movedHot += IntentLogIT.figure(stats, "hybrid_moves_to_hot_total");
                assertTrue(writer.isAlive(), "the writer stopped: " + Files.readString(root.resolve("writer-" + round + ".out")));
                fs.kill();
                writer.destroyForcibly();
                writer.waitFor(10, TimeUnit.SECONDS);
                Run.ok("umount", root.resolve("hot").toString()); // the hot tier is gone, as after a reboot
                fs = Mounted.startOn(root);
                Run check = Run.of(Py.PYTHON, workload("recycling_segments_check.py"), dir.toString(),
                        journal.toString());
                assertEquals(0, check.exit(), "round " + round + ": " + check.output() + "\n" + fs.log());
                assertTrue(fs.log().contains("replayed"), fs.log());
            }
            String journaled = Files.readString(journal);
            assertTrue(journaled.contains("\nA R "), "no segment was recycled");
            assertTrue(movedCold >= ROUNDS, "moves to cold " + movedCold); // about 20 a round
            System.err.println("hybrid reboots: " + ROUNDS + " rounds, " + movedCold + " moves to cold and " + movedHot
                    + " back while the WAL was written");
        } finally {
            fs.close();
            Run.of("umount", root.resolve("hot").toString());
        }
    }

    private static String workload(String name) throws URISyntaxException {
        return Path.of(HybridRebootIT.class.getResource("/workloads/" + name).toURI()).toString();
    }
}
