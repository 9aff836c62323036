package io.xdevfs.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Regression: the first mount's set-up leaked debconf's warnings and terminal escape codes and showed
 * no progress. install-deps.sh, with fio hidden from it, says one line per step and nothing else.
 */
class MountScriptsIT {
    @TempDir
    Path tmp;

    @Test
    void dependencyInstallShowsOneLinePerStepAndNoToolOutput() throws Exception {
        Assumptions.assumeTrue(Run.of("id", "-u").output().strip().equals("0") && Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "needs root and apt-get");
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : List.of("bash", "apt-get", "apt-cache", "ldconfig", "grep", "ls", "id", "mktemp", "tail",
                "rm", "fusermount3", "bindfs", "setfattr", "sqlite3", "runuser", "pgrep", "javac", "mvn")) {
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
}
