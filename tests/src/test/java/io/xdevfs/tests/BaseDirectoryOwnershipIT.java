package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One daemon owns a base directory (regression: two were accepted and the second served stale data),
 * and a failed mount reports this attempt's reasons only (regression: it printed the end of a log that
 * accumulates over attempts).
 */
@ExtendWith(NoLeftovers.class)
class BaseDirectoryOwnershipIT {

    private static boolean mounted(Path mnt) {
        return Run.of("findmnt", "-n", "--mountpoint", mnt.toString()).exit() == 0;
    }

    private static Run mountInBackground(Path config, Path mnt, Path log) {
        return MonitoringIT.cli("mount", "--config", config.toString(), "--log-file", log.toString(),
                "--pid-file", log.resolveSibling(mnt.getFileName() + ".pid").toString(), mnt.toString());
    }

    @Test
    void secondDaemonOnOneBaseDirectoryIsRefusedNamingTheFirst() throws Exception {
        try (Mounted first = Mounted.start(List.of())) {
            Files.writeString(first.path("f"), "owned");
            Path mnt2 = Files.createDirectory(first.root.resolve("mnt2"));
            Run second = mountInBackground(first.root.resolve("xdevfs.ini"), mnt2, first.root.resolve("second.log"));
            assertNotEquals(0, second.exit(), second.output());
            assertTrue(second.output().contains("is in use by the xdevfs daemon (pid " + first.pid() + ") serving "
                    + first.mnt), second.output());
            assertFalse(mounted(mnt2));
            assertEquals("owned", Files.readString(first.path("f")));
        }
    }

    @Test
    void lockOfAKilledDaemonNeverBlocksTheNextMount() throws Exception {
        Mounted first = Mounted.start(List.of("storage_type = compressed"));
        Files.writeString(first.path("f"), "synced");
        Run.ok("sync", first.path("f").toString());
        Run.ok("kill", "-9", Long.toString(first.pid()));
        assertTrue(first.process().waitFor(20, TimeUnit.SECONDS));
        first.kill(); // clears the dead mount
        try (Mounted again = Mounted.startOn(first.root)) {
            assertEquals("synced", Files.readString(again.path("f")));
        } finally {
            first.unmountBaseTmpfs();
        }
    }

    @Test
    void failedMountShowsOnlyThisAttemptsLines() throws Exception {
        try (Mounted holder = Mounted.start(List.of())) {
            Path log = holder.root.resolve("shared.log");
            Path mnt2 = Files.createDirectory(holder.root.resolve("mnt2"));
            Run locked = mountInBackground(holder.root.resolve("xdevfs.ini"), mnt2, log);
            assertTrue(locked.output().contains("is in use by"), locked.output());

            Path file = Files.writeString(holder.root.resolve("not-a-directory"), "x");
            Path config = Files.writeString(holder.root.resolve("file-base.ini"), "[local]\nbase_directory = " + file + "\n");
            Run notDir = mountInBackground(config, mnt2, log);
            assertNotEquals(0, notDir.exit());
            assertTrue(notDir.output().contains("exists but is not a directory"), notDir.output());
            assertFalse(notDir.output().contains("is in use by"), notDir.output());
            assertTrue(Files.readString(log).contains("is in use by"), "the log itself keeps both attempts");
        }
    }

    /** Regression: a compressed base mounted as regular served the chunk log's bytes as file contents. */
    @Test
    void aBaseIsMountedOnlyAsTheTypeItHolds() throws Exception {
        Path root;
        try (Mounted compressed = Mounted.start(List.of("storage_type = compressed"))) {
            Files.writeString(compressed.path("wal"), "segment");
            root = compressed.root;
        }
        Path regular = Files.writeString(root.resolve("regular.ini"), "[local]\nbase_directory = " + root.resolve("base") + "\n");
        Run refused = mountInBackground(regular, root.resolve("mnt"), root.resolve("regular.log"));
        assertNotEquals(0, refused.exit(), refused.output());
        assertTrue(refused.output().contains("holds a compressed volume (storage_type = compressed"), refused.output());
        assertFalse(mounted(root.resolve("mnt")));
        try (Mounted again = Mounted.startOn(root)) {
            assertEquals("segment", Files.readString(again.path("wal")));
            assertEquals(List.of("wal"), Run.ok("ls", "-A", again.mnt.toString()).lines().toList(),
                    "the header is not a name on the mount");
        }
    }
}
