package io.xdevfs.fs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Path good = Files.writeString(tmp.resolve("good.ini"), "[local]\nbase_directory = /srv/wal\nextent_size = 64M\n");
        assertEquals(0, Main.run("config", "check", good.toString()));
        assertTrue(out.toString().contains("base_directory = /srv/wal\n"), out.toString());
        assertTrue(out.toString().contains("extent_size = 67108864\n"), out.toString());
        Path bad = Files.writeString(tmp.resolve("bad.ini"), "[local]\nmax_open_files = lots\n");
        assertEquals(2, Main.run("config", "check", bad.toString()));
        assertEquals("xdevfs: " + bad + ":2: [local] max_open_files = 'lots': expected an integer from 1 to 1000000\n",
                err.toString());
        err.reset();
        assertEquals(2, Main.run("config", "check", tmp.resolve("missing.ini").toString()));
        assertTrue(err.toString().contains("cannot read the configuration"), err.toString());
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
