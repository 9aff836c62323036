package io.xdevfs.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where progress lines go: they redraw themselves with carriage returns, which in a log file or a
 * pipe (CI, systemd, {@code 2>file}) leave one long line of overwritten text. So they go to stderr
 * only when it is a terminal.
 */
final class Terminal {
    private Terminal() {
    }

    /** stderr when it is a terminal, else a stream that drops everything. */
    static PrintStream progress() {
        return stderrIsTerminal() ? System.err : new PrintStream(OutputStream.nullOutputStream());
    }

    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
