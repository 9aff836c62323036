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
}
