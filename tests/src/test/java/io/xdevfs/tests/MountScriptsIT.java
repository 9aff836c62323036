package io.xdevfs.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression: the first mount's set-up leaked debconf's warnings and terminal escape codes and showed
 * no progress. install-deps.sh, with fio hidden from it, says one line per step and nothing else.
 */
@org.junit.jupiter.api.extension.ExtendWith(NoLeftovers.class)
class MountScriptsIT {
    @TempDir
    Path tmp;

    @Test
    void dependencyInstallShowsOneLinePerStepAndNoToolOutput() throws Exception {
        Assumptions.assumeTrue(Run.of("id", "-u").output().strip().equals("0") && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "needs root and apt-get");
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : List.of("bash", "apt-get", "apt-cache", "ldconfig", "grep", "ls", "id", "mktemp", "tail",
                "rm", "fusermount3", "bindfs", "setfattr", "sqlite3", "stress-ng", "runuser", "pgrep", "javac", "mvn", "losetup", "wipefs",
                "mkfs.ext4")) {
            String where = Run.of("sh", "-c", "command -v " + tool).output().strip();
            if (!where.isEmpty()) {
                Files.createSymbolicLink(bin.resolve(tool), Path.of(where));
            }
        }
        Path script = Path.of("..", "mount-scripts", "install-deps.sh").toAbsolutePath().normalize();
        Run r = Run.in(null, List.of("env", "PATH=" + bin, bin.resolve("bash").toString(), script.toString(), "test"));
        assertEquals(0, r.exit(), r.output());
        assertEquals(List.of("xdevfs: updating the package lists (apt-get update)", "xdevfs: installing fio"),
                r.output().lines().toList(), "one line per step; apt's and debconf's output only on failure");
        assertFalse(r.output().contains("\u001b"), "no terminal escape codes");
    }

    /** The launcher gives a --foreground daemon (systemd's) the memory budget's limits, as a background mount does. */
    @Test
    void aForegroundDaemonStartedByTheLauncherGetsItsMemoryBudget() throws Exception {
        FuseAvailability.require();
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Path config = Files.writeString(tmp.resolve("c.ini"), "[local]\nbase_directory = " + tmp.resolve("base") + "\n");
        Path launcher = Path.of("..", "mount-scripts", "xdevfs").toAbsolutePath().normalize();
        Process daemon = new ProcessBuilder(launcher.toString(), "mount", "--foreground", "--config", config.toString(),
                "--pid-file", tmp.resolve("pid").toString(), mnt.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            // Until the daemon says it serves: the mount table shows the mount before the kernel's handshake
            // is done, and an unmount in between leaves a daemon that never served.
            while (!Files.readString(tmp.resolve("log")).contains("mounted " + tmp.resolve("base") + " on ")) {
                assertTrue(daemon.isAlive() && System.nanoTime() < deadline, Files.readString(tmp.resolve("log")));
                Thread.sleep(50);
            }
            String cmdline = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "cmdline")).replace('\0', ' ');
            assertTrue(cmdline.contains(" -Xmx128m -XX:MaxDirectMemorySize=64m "), cmdline);
            String environment = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "environ"));
            assertTrue(("\0" + environment).contains("\0MALLOC_ARENA_MAX=2\0"), "the launcher bounds malloc's arenas");
            assertFalse(Files.readString(tmp.resolve("log")).contains("not enforced"), Files.readString(tmp.resolve("log")));
        } finally {
            Run.of("fusermount3", "-u", mnt.toString());
            if (!daemon.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        assertEquals(0, daemon.exitValue(), Files.readString(tmp.resolve("log")));
    }
}
