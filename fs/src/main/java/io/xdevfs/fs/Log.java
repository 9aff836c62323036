package io.xdevfs.fs;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The daemon's log: one line per event on stderr (the log file of a background daemon, or the
 * journal under systemd). Not java.util.logging, whose LogManager resets itself during JVM shutdown
 * and would swallow exactly the unmount messages a signal produces.
 */
public final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
    private static final PrintStream OUT = System.err;

    public static void info(String message) {
        write("INFO", message, null);
    }

    public static void warn(String message) {
        write("WARN", message, null);
    }

    public static void error(String message, Throwable t) {
        write("ERROR", message, t);
    }

    private static void write(String level, String message, Throwable t) {
        synchronized (OUT) {
            OUT.println(LocalDateTime.now().format(TIME) + " " + level + " " + message);
            if (t != null) {
                t.printStackTrace(OUT);
            }
            OUT.flush();
        }
    }

    private Log() {
    }
}
