package io.xdevfs.fs.daemon;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonProcessTest {
    private static final Path MNT = Path.of("/mnt/wal");

    @Test
    void aForegroundMountOfTheMountPointServesIt() {
        assertTrue(DaemonProcess.serves(List.of("-Dfile.encoding=UTF-8", "-jar", "/opt/xdevfs.jar", "mount", "--foreground",
                "--pid-file", "/run/xdevfs/mnt-wal.pid", "--config", "/etc/xdevfs/wal.ini", "--dispatch", "single",
                "/mnt/wal"), Path.of("/"), MNT));
        assertTrue(DaemonProcess.serves(List.of("mount", "--foreground", "wal/"), Path.of("/mnt"), MNT),
                "a relative mount point, from the daemon's directory");
        assertTrue(DaemonProcess.serves(List.of("mount", "--foreground", "/mnt/./wal"), null, MNT));
    }

    @Test
    void otherProcessesDoNot() {
        assertFalse(DaemonProcess.serves(List.of("mount", "/mnt/wal"), Path.of("/"), MNT),
                "the background start returns once mounted: the daemon is its --foreground child");
        assertFalse(DaemonProcess.serves(List.of("mount", "--foreground", "/mnt/wal2"), Path.of("/"), MNT));
        assertFalse(DaemonProcess.serves(List.of("umount", "--foreground", "/mnt/wal"), Path.of("/"), MNT));
        assertFalse(DaemonProcess.serves(List.of("mount", "--foreground", "wal"), null, MNT), "no directory to resolve it in");
        assertFalse(DaemonProcess.serves(List.of("mount"), Path.of("/"), MNT));
    }

    /** A zombie has ended (closed every file): only its parent's reaping is left, which may come late. */
    @Test
    void aProcessHasEndedOnceItIsGoneOrAZombie() throws Exception {
        assertFalse(DaemonProcess.ended(ProcessHandle.current().pid()));
        Process parent = new ProcessBuilder("python3", "-c",
                "import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)")
                .redirectErrorStream(true).start();
        try {
            long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))
                    .readLine().strip());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!DaemonProcess.ended(child)) { // exiting: a zombie its parent never reaps
                assertTrue(System.nanoTime() < deadline, "child " + child + " still running");
                Thread.sleep(10);
            }
            assertTrue(ProcessHandle.of(child).isPresent(), "still in the process table, unreaped");
        } finally {
            parent.destroyForcibly().waitFor();
        }
        assertTrue(DaemonProcess.ended(Integer.MAX_VALUE), "no such process");
    }
}
