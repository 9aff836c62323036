package io.xdevfs.fs;

import io.xdevfs.fs.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands that need no mount: version, help, config check, and refusals before any mount. */
class CliTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void versionAndHelpOnEveryCommand() {
        assertEquals(0, Main.run("--version"));
        assertTrue(out.toString().startsWith("xdevfs "), out.toString());
        for (String[] args : new String[][] {{"--help"}, {"mount", "--help"}, {"umount", "--help"},
                {"config", "--help"}, {"config", "check", "--help"}}) {
            out.reset();
            assertEquals(0, Main.run(args), String.join(" ", args));
            assertTrue(out.toString().startsWith("Usage: xdevfs"), out.toString());
        }
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationOrTheProblems() throws Exception {
        Path wal = tmp.resolve("srv/wal");
        Path good = Files.writeString(tmp.resolve("good.ini"), "[local]\nbase_directory = " + wal + "\nextent_size = 64M\n");
        assertEquals(0, Main.run("config", "check", good.toString()));
        assertTrue(out.toString().contains("base_directory = " + wal + "\n"), out.toString());
        assertTrue(out.toString().contains("extent_size = 67108864\n"), out.toString());
        assertTrue(out.toString().endsWith("xdevfs: " + good + " is valid\n"), out.toString());
        Path bad = Files.writeString(tmp.resolve("bad.ini"), "[local]\nmax_open_files = lots\n");
        assertEquals(2, Main.run("config", "check", bad.toString()));
        assertEquals("xdevfs: " + bad + ":2: [local] max_open_files = 'lots': expected an integer from 1 to 1000000\n"
                + "xdevfs: " + bad + " is not valid (1 error)\n", err.toString());
    }

    @Test
    void jvmOptionsHoldTheDaemonToItsMemoryBudget() throws Exception {
        Path ini = Files.writeString(tmp.resolve("z.ini"), "[local]\nstorage_type = compressed\ncache_size = 256M\n");
        assertEquals(0, Main.run("config", "jvm-options", ini.toString()));
        assertEquals("-Xmx384m -XX:MaxDirectMemorySize=64m\n", out.toString());
        out.reset();
        assertEquals(0, Main.run("config", "jvm-options"));
        assertEquals("-Xmx128m -XX:MaxDirectMemorySize=64m\n", out.toString(), "the embedded default");
        out.reset();
        // A hybrid's compressed cold tier keeps its 128 MiB chunk cache on the heap too: without it in the
        // budget, random reads of cold files filled the heap and crashed the daemon (jffi, SIGSEGV).
        Path hybrid = Files.writeString(tmp.resolve("h.ini"), "[local]\nbase_directory = " + tmp.resolve("b")
                + "\nstorage_type = hybrid\n[hybrid]\nhot_storage_type = regular\nhot_directory = " + tmp.resolve("h")
                + "\ncold_storage_type = compressed\ncold_directory = " + tmp.resolve("c") + "\n");
        assertEquals(0, Main.run("config", "jvm-options", hybrid.toString()), err.toString());
        assertEquals("-Xmx256m -XX:MaxDirectMemorySize=64m\n", out.toString());
    }

    @Test
    void configCheckSaysWhyAFileCannotBeRead() throws Exception {
        Path missing = tmp.resolve("missing.ini");
        assertEquals(2, Main.run("config", "check", missing.toString()));
        assertTrue(err.toString().contains(missing + ": cannot read the configuration: No such file or directory"),
                err.toString());
        err.reset();
        assertEquals(2, Main.run("config", "check", tmp.toString()));
        assertTrue(err.toString().contains(tmp + ": cannot read the configuration: Is a directory"), err.toString());
    }

    @Test
    void configCheckLooksAtDirectoriesAndPortsWithTheirLines() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Path ini = Files.writeString(tmp.resolve("c.ini"), "# comment\n[local]\nbase_directory = " + file + "\n");
        assertEquals(2, Main.run("config", "check", ini.toString()));
        assertTrue(err.toString().contains("xdevfs: error: " + ini + ":3: [local] base_directory: " + file
                + " exists but is not a directory"), err.toString());
        assertTrue(err.toString().contains("a mount with it would fail now (1 error above)"), err.toString());
        err.reset();
        out.reset();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path withPort = Files.writeString(tmp.resolve("p.ini"), "[local]\nbase_directory = " + tmp.resolve("b")
                    + "\n[monitoring]\nenable_metrics = true\nmetrics_port = " + taken.getLocalPort() + "\n");
            assertEquals(0, Main.run("config", "check", withPort.toString()));
            assertTrue(err.toString().contains("xdevfs: warning: " + withPort + ":5: [monitoring] metrics_port: 127.0.0.1:"
                    + taken.getLocalPort() + " is in use now"), err.toString());
            assertTrue(out.toString().endsWith(" is valid (1 warning)\n"), out.toString());
        }
        err.reset();
        Path base = Files.createDirectories(tmp.resolve("compressed-base"));
        Path compressed = Files.writeString(tmp.resolve("z.ini"), "[local]\nbase_directory = " + base
                + "\nstorage_type = compressed\n");
        io.xdevfs.tiers.Volumes.open(ConfigLoader.load(compressed)).close(); // writes its volume header
        Path asRegular = Files.writeString(tmp.resolve("r.ini"), "[local]\nbase_directory = " + base + "\n");
        assertEquals(2, Main.run("config", "check", asRegular.toString()));
        assertTrue(err.toString().contains("xdevfs: error: " + asRegular + ": [local] storage_type (default): " + base
                + " holds a compressed volume, which storage_type = regular would misread"), err.toString());
    }

    /**
     * A memory tier's copies and log in memory (/dev/shm here; /tmp on many systems) would not outlive a
     * reboot, nor would they inside the tmpfs's own directory.
     */
    @Test
    void configCheckRefusesBackupsAndLogsThatWouldNotSurviveAReboot() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm");
        Path base = tmp.resolve("base");
        Path inside = Files.writeString(tmp.resolve("i.ini"), "[local]\nbase_directory = " + base + "\nstorage_type = tmpfs\n"
                + "[tmpfs]\nbackup_to_disk = true\nbackup_directory = " + base.resolve("copies") + "\n");
        assertEquals(2, Main.run("config", "check", inside.toString()));
        assertTrue(err.toString().contains("xdevfs: " + inside + ":6: [tmpfs] backup_directory: base_directory ("
                + base + ") and backup_directory (" + base.resolve("copies") + ") must be separate directories, neither "
                + "inside the other"), err.toString());
        err.reset();
        Path inMemory = Files.writeString(tmp.resolve("m.ini"), "[local]\nbase_directory = " + base
                + "\nstorage_type = tmpfs\n[tmpfs]\nbackup_to_disk = true\nbackup_directory = /dev/shm/xdevfs-clitest-never-made/"
                + "copies\nintent_log_directory = /dev/shm/xdevfs-clitest-never-made/log\n");
        assertEquals(2, Main.run("config", "check", inMemory.toString()));
        assertTrue(err.toString().contains("xdevfs: error: " + inMemory + ":7: [tmpfs] intent_log_directory: "
                + "/dev/shm/xdevfs-clitest-never-made/log is on a memory filesystem (tmpfs at /dev/shm)"), err.toString());
        assertTrue(err.toString().contains("(2 errors above)"), err.toString());
        assertFalse(Files.exists(Path.of("/dev/shm/xdevfs-clitest-never-made")));
        err.reset();
        out.reset();
        Path regular = Files.writeString(tmp.resolve("r.ini"), "[local]\nbase_directory = /dev/shm/xdevfs-clitest-never-made\n");
        assertEquals(0, Main.run("config", "check", regular.toString())); // it mounts; it says what fsync means there
        assertTrue(err.toString().contains("xdevfs: warning: " + regular + ":2: [local] base_directory: "
                + "/dev/shm/xdevfs-clitest-never-made is on a memory filesystem (tmpfs at /dev/shm): fsync there survives "
                + "no reboot"), err.toString());
        assertFalse(Files.exists(Path.of("/dev/shm/xdevfs-clitest-never-made")));
    }

    /** A directory another daemon owns now (the flock a mount takes) is named with a warning: the mount would be refused. */
    @Test
    void configCheckWarnsOfDirectoriesAnotherDaemonOwnsNow() throws Exception {
        Path backup = Files.createDirectories(tmp.resolve("copies"));
        Path ini = Files.writeString(tmp.resolve("t.ini"), "[local]\nbase_directory = " + tmp.resolve("base")
                + "\nstorage_type = tmpfs\n[tmpfs]\nbackup_to_disk = true\nbackup_directory = " + backup + "\n");
        assertEquals(0, Main.run("config", "check", ini.toString()));
        assertFalse(err.toString().contains("in use"), err.toString());
        Process holder = new ProcessBuilder("flock", backup.toString(), "sleep", "30").start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            do {
                err.reset();
                out.reset();
                assertEquals(0, Main.run("config", "check", ini.toString()));
            } while (!err.toString().contains("in use now") && System.nanoTime() < deadline);
            assertTrue(err.toString().contains("xdevfs: warning: " + ini + ":6: [tmpfs] backup_directory: " + backup
                    + " is in use now by "), err.toString());
            assertTrue(out.toString().endsWith(" is valid (1 warning)\n"), out.toString());
        } finally {
            holder.destroy();
        }
    }

    @Test
    void umountOfSomethingThatIsNotXdevfsIsRefused() {
        assertEquals(1, Main.run("umount", "/proc"));
        assertEquals("xdevfs: /proc is not an xdevfs mount (it is proc)\n", err.toString());
    }

    @Test
    void unknownOptionsAndDispatchModesAreUsageErrors() {
        assertEquals(2, Main.run("mount", "--dispatch", "many", tmp.toString()));
        assertTrue(err.toString().contains("many"), err.toString());
    }
}
