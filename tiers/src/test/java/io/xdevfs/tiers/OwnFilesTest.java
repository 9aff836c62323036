package io.xdevfs.tiers;

import io.xdevfs.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the daemon makes for itself keeps its mode under umask 0, and its directories are refused when others may write there. */
class OwnFilesTest {
    @TempDir
    Path tmp;

    private Path dir(String name, String mode) throws Exception {
        Path d = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void directoriesOthersCanWriteToAreRefusedWithTheKeyAndTheMode() throws Exception {
        for (String mode : new String[] {"rwxrwxrwx", "rwxrwxr-x", "rwxr-xrwx"}) {
            Path d = dir("d" + mode.hashCode(), mode);
            VolumeException e = assertThrows(VolumeException.class, () -> OwnFiles.requireOwnDirectory(d, "hot_directory"));
            assertTrue(e.getMessage().startsWith("hot_directory " + d + " is writable by other users (" + mode + ")"),
                    e.getMessage());
        }
        // sticky, as a tmpfs mounted without mode= is: others cannot delete, but can take names first
        Path sticky = dir("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertThrows(VolumeException.class, () -> OwnFiles.requireOwnDirectory(sticky, "cold_directory"));
    }

    @Test
    void theDaemonsOwnDirectoriesAndMissingOnesPass() throws Exception {
        assertDoesNotThrow(() -> OwnFiles.requireOwnDirectory(dir("a", "rwxr-xr-x"), "hot_directory"));
        assertDoesNotThrow(() -> OwnFiles.requireOwnDirectory(dir("b", "rwx------"), "hot_directory"));
        assertDoesNotThrow(() -> OwnFiles.requireOwnDirectory(tmp.resolve("missing"), "hot_directory"));
    }

    @Test
    void aDirectoryOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(Posix.get().geteuid() == 0, "chown needs root");
        Path d = dir("theirs", "rwxr-xr-x");
        Files.setAttribute(d, "unix:uid", 65534);
        VolumeException e = assertThrows(VolumeException.class, () -> OwnFiles.requireOwnDirectory(d, "backup_directory"));
        assertTrue(e.getMessage().contains("owned by uid 65534"), e.getMessage());
    }

    @Test
    void filesAndDirectoriesKeepTheirModeUnderUmaskZero() throws Exception {
        int umask = Posix.get().umask(0);
        try {
            Files.createDirectories(tmp.resolve("x/y"), OwnFiles.SHARED_DIRECTORY);
            OwnFiles.writeString(tmp.resolve("x/y/pid"), "1\n", OwnFiles.SHARED_FILE);
            OwnFiles.writeString(tmp.resolve("x/y/secret"), "2\n", OwnFiles.PRIVATE_FILE);
        } finally {
            Posix.get().umask(umask);
        }
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("x"))));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("x/y"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("x/y/pid"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("x/y/secret"))));
        assertEquals("2\n", Files.readString(tmp.resolve("x/y/secret")));
    }

    @Test
    void anAutoMountedTmpfsGetsModeUnlessTheOptionsNameOne() {
        assertEquals("mode=0755", io.xdevfs.tiers.tmpfs.TmpfsMount.withMode(""));
        assertEquals("size=1G,mode=0755", io.xdevfs.tiers.tmpfs.TmpfsMount.withMode("size=1G"));
        assertEquals("size=1G,mode=0700", io.xdevfs.tiers.tmpfs.TmpfsMount.withMode("size=1G,mode=0700"));
    }
}
