package io.xdevfs.fs.daemon;

import io.xdevfs.fs.Log;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

/**
 * SIGINT unmounts, however the daemon was started. A shell without job control (a script's {@code &},
 * nohup) starts background jobs with SIGINT ignored, and the JVM then installs no handler for it, so
 * {@code kill -INT} would leave the mount up. The disposition is put back to its default and the
 * shutdown the JVM would have run (exit 130, the shutdown hook unmounts) is installed in its place.
 */
final class InterruptUnmounts {
    private static final int SIGINT = 2;

    static void evenIfIgnored() {
        try {
            if (Posix.get().unignoreSignal(SIGINT)) {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> System.exit(128 + SIGINT));
                Log.info("SIGINT was ignored by whoever started the daemon; it unmounts now, as SIGTERM does");
            }
        } catch (PosixException | IllegalArgumentException e) {
            Log.warn("SIGINT stays as inherited (" + e.getMessage() + "): use SIGTERM or xdevfs umount");
        }
    }

    private InterruptUnmounts() {
    }
}
