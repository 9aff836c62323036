package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mount-scripts/install.sh, then mount(8) with -t fuse.xdevfs and an fstab line, and umount(8). */
@ExtendWith(NoLeftovers.class)
class MountHelperIT {

    @Test
    void mountTypeFuseXdevfsAndAnFstabLineWorkAndUmountEndsTheDaemon() throws Exception {
        FuseAvailability.require();
        Path repo = Path.of(System.getProperty("xdevfs.repo"));
        Path root = TestDirs.create();
        Path prefix = root.resolve("prefix");
        Path sbin = Path.of("/sbin");
        boolean hadHelper = Files.exists(sbin.resolve("mount.fuse.xdevfs"));
        try {
            Run install = Run.in(repo, java.util.List.of("env", "PREFIX=" + prefix, "SBINDIR=" + sbin,
                    "bash", "mount-scripts/install.sh"));
            assertEquals(0, install.exit(), install.output());
            assertTrue(Files.isExecutable(prefix.resolve("bin/xdevfs")));

            Path mnt = Files.createDirectory(root.resolve("wal"));
            Path config = Files.writeString(root.resolve("wal.ini"),
                    "[local]\nbase_directory = " + root.resolve("base") + "\nfile_permissions = 0600\n");
            Run mount = Run.of("mount", "-t", "fuse.xdevfs", config.toString(), mnt.toString());
            assertEquals(0, mount.exit(), mount.output());
            assertEquals("fuse.xdevfs", Run.ok("findmnt", "-n", "-o", "FSTYPE", mnt.toString()).strip());
            Files.writeString(mnt.resolve("segment"), "through mount -t");
            assertEquals("-rw-------", Run.ok("stat", "-c", "%A", mnt.resolve("segment").toString()).strip(),
                    "file_permissions = 0600 masks the new file's mode");
            long pid = daemonOf(mnt);
            Run umount = Run.of("umount", mnt.toString());
            assertEquals(0, umount.exit(), umount.output());
            awaitExit(pid);
            assertEquals("through mount -t", Files.readString(root.resolve("base/segment")));

            Path fstab = Files.writeString(root.resolve("fstab"),
                    config + " " + mnt + " fuse.xdevfs defaults,_netdev 0 0\n");
            Run viaFstab = Run.of("mount", "-T", fstab.toString(), mnt.toString());
            assertEquals(0, viaFstab.exit(), viaFstab.output());
            assertEquals("through mount -t", Files.readString(mnt.resolve("segment")));
            long pid2 = daemonOf(mnt);
            assertEquals(0, Run.of("umount", mnt.toString()).exit());
            awaitExit(pid2);
            assertFalse(Run.of("findmnt", mnt.toString()).exit() == 0);
        } finally {
            Run.of("bash", "-c", "findmnt -rn -o TARGET | grep " + root + " | xargs -r -n1 umount -l");
            if (!hadHelper) {
                Files.deleteIfExists(sbin.resolve("mount.fuse.xdevfs"));
                Files.deleteIfExists(sbin.resolve("xdevfs"));
            }
        }
    }

    /** The daemon is the process whose command line ends with the mount point. */
    private static long daemonOf(Path mnt) {
        String out = Run.ok("pgrep", "-f", "io.xdevfs.fs.Main mount --foreground .* " + mnt + "$|xdevfs.jar mount --foreground .* " + mnt + "$");
        return Long.parseLong(out.strip().lines().findFirst().orElseThrow());
    }

    private static void awaitExit(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "daemon " + pid + " outlived umount");
            Thread.sleep(20);
        }
    }
}
