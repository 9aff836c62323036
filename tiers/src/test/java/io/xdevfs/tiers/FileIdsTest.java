package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.directory.FileIds;
import io.xdevfs.tiers.directory.IdCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** File ids owned by xdevfs: stable across rename, remount and a copy; unique across tiers that share a counter. */
class FileIdsTest {
    @TempDir
    Path tmp;

    private static Volume open(Path base) throws Exception {
        return Volumes.open(LocalConfig.defaults().withBaseDirectory(base));
    }

    private static void touch(Volume v, String path) throws Exception {
        v.create(path, Flags.O_WRONLY, 0644, null).close();
    }

    @Test
    void anIdSurvivesRenameRemountAndACopyOfTheBaseDirectory() throws Exception {
        Path base = tmp.resolve("base");
        long file;
        long dir;
        try (Volume v = open(base)) {
            v.mkdir("/d", 0755, null);
            touch(v, "/a");
            file = v.getattr("/a").ino;
            dir = v.getattr("/d").ino;
            assertTrue(file < FileIds.UNRECORDED && dir < FileIds.UNRECORDED, "recorded ids on ext4/tmpfs");
            assertNotEquals(Files.getAttribute(base.resolve("a"), "unix:ino"), file, "not the backing inode number");
            v.rename("/a", "/d/b", 0);
            assertEquals(file, v.getattr("/d/b").ino);
            try (Content c = v.open("/d/b", Flags.O_RDONLY)) {
                assertEquals(file, c.attributes().ino, "a handle says the same");
            }
            v.link("/d/b", "/c");
            assertEquals(file, v.getattr("/c").ino, "hard links are one file");
        }
        try (Volume v = open(base)) {
            assertEquals(file, v.getattr("/d/b").ino);
            assertEquals(dir, v.getattr("/d").ino);
        }
        Path copy = tmp.resolve("copy");
        assertEquals(0, new ProcessBuilder("cp", "-a", base.toString(), copy.toString()).inheritIO().start().waitFor());
        try (Volume v = open(copy)) {
            assertEquals(file, v.getattr("/d/b").ino);
            assertEquals(dir, v.getattr("/d").ino);
            touch(v, "/new");
            long fresh = v.getattr("/new").ino;
            assertTrue(fresh != file && fresh != dir);
        }
    }

    /** ext4 hands a freed inode number to the next new file: the new file must not inherit the old id. */
    @Test
    void aReusedInodeNumberGetsTheNewFilesId() throws Exception {
        Path base = tmp.resolve("reuse");
        try (Volume v = open(base)) {
            Set<Long> ids = new HashSet<>();
            int reused = 0;
            for (int i = 0; i < 50; i++) {
                touch(v, "/f" + i);
                long before = (Long) Files.getAttribute(base.resolve("f" + i), "unix:ino");
                assertTrue(ids.add(v.getattr("/f" + i).ino), "a new id each time");
                v.unlink("/f" + i);
                java.nio.file.Files.writeString(base.resolve("outside" + i), "x"); // made behind the mount's back
                long after = (Long) Files.getAttribute(base.resolve("outside" + i), "unix:ino");
                reused += before == after ? 1 : 0;
                long outside = v.getattr("/outside" + i).ino;
                assertEquals(FileIds.UNRECORDED | after, outside, "no id of the file that had its inode");
            }
            assertTrue(reused > 0, "ext4 reused a freed inode number at least once");
        }
    }

    /**
     * A directory's ctime changes with every name made in it: its id is still read once, and a
     * directory made in the inode of one removed through the volume gets its own id.
     */
    @Test
    void aDirectorysIdIsReadOnceAndAReusedInodeGetsTheNewDirectorysId() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        Posix counting = new io.xdevfs.posix.ForwardingPosix(Posix.get()) {
            @Override
            protected void before(String call) {
                if (call.equals("lgetxattr")) {
                    reads.incrementAndGet();
                }
            }
        };
        Path base = tmp.resolve("dirs");
        try (Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(base), counting)) {
            v.mkdir("/d", 0755, null);
            long id = v.getattr("/d").ino;
            int before = reads.get();
            for (int i = 0; i < 5; i++) {
                touch(v, "/d/f" + i);
                assertEquals(id, v.getattr("/d").ino);
            }
            assertEquals(before, reads.get(), "the directory's id was not read again");

            Set<Long> ids = new HashSet<>();
            int reused = 0;
            for (int i = 0; i < 50; i++) {
                v.mkdir("/r" + i, 0755, null);
                Object ino = Files.getAttribute(base.resolve("r" + i), "unix:ino");
                assertTrue(ids.add(v.getattr("/r" + i).ino));
                v.rmdir("/r" + i);
                v.mkdir("/s" + i, 0755, null);
                reused += ino.equals(Files.getAttribute(base.resolve("s" + i), "unix:ino")) ? 1 : 0;
                assertTrue(ids.add(v.getattr("/s" + i).ino), "the new directory's own id");
            }
            assertTrue(reused > 0, "the backing filesystem reused a directory's inode number at least once");
        }
    }

    @Test
    void aBaseWithoutIdsIsAdoptedAboveTheLargestIdFound() throws Exception {
        Path base = tmp.resolve("old");
        Files.createDirectories(base.resolve("sub"));
        Files.writeString(base.resolve("sub/x"), "x");
        Files.writeString(base.resolve("y"), "y");
        Files.createSymbolicLink(base.resolve("link"), Path.of("y"));
        Set<Long> seen = new HashSet<>();
        try (Volume v = open(base)) {
            for (String p : List.of("/sub", "/sub/x", "/y")) {
                long id = v.getattr(p).ino;
                assertTrue(id > 0 && id < FileIds.UNRECORDED, p + " adopted: " + id);
                assertTrue(seen.add(id), "unique");
            }
            long link = v.getattr("/link").ino;
            assertEquals(FileIds.UNRECORDED | (Long) Files.getAttribute(base.resolve("link"), "unix:ino",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS), link, "a symlink cannot carry one");
            touch(v, "/z");
            assertTrue(seen.add(v.getattr("/z").ino));
        }
    }

    /** Adopting a base whose names are not all UTF-8 (an old directory may hold any bytes) gives them ids too. */
    @Test
    void namesThatAreNotUtf8AreAdopted() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("old"));
        io.xdevfs.posix.Posix posix = io.xdevfs.posix.Posix.get();
        String dir = io.xdevfs.posix.Names.of(base) + "/d\u00ff";
        posix.mkdirat(Flags.AT_FDCWD, dir, 0755);
        posix.close(posix.openat(Flags.AT_FDCWD, dir + "/f\u00fe", Flags.O_WRONLY | Flags.O_CREAT, 0644));
        try (Volume v = open(base)) {
            long d = v.getattr("/d\u00ff").ino;
            long f = v.getattr("/d\u00ff/f\u00fe").ino;
            assertTrue(d > 0 && d < FileIds.UNRECORDED && f > 0 && f < FileIds.UNRECORDED && d != f, d + " " + f);
        }
    }

    @Test
    void theIdAttributeNeverShowsAndCannotBeChanged() throws Exception {
        try (Volume v = open(tmp.resolve("base"))) {
            touch(v, "/f");
            ByteBuffer value = ByteBuffer.allocateDirect(3).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
            v.setxattr("/f", "user.mine", value, 0);
            ByteBuffer list = ByteBuffer.allocateDirect(256);
            int n = v.listxattr("/f", list);
            byte[] names = new byte[n];
            list.get(names);
            assertEquals("user.mine\0", new String(names, StandardCharsets.ISO_8859_1));
            assertEquals(n, v.listxattr("/f", ByteBuffer.allocateDirect(0)));
            assertEquals(0, v.listxattr("/", ByteBuffer.allocateDirect(64)), "the counter on the root does not show either");
            PosixException get = assertThrows(PosixException.class, () -> v.getxattr("/f", FileIds.XATTR, ByteBuffer.allocateDirect(8)));
            assertEquals(Errno.ENODATA, get.errno());
            PosixException set = assertThrows(PosixException.class,
                    () -> v.setxattr("/f", FileIds.XATTR, ByteBuffer.allocateDirect(8), 0));
            assertEquals(Errno.EPERM, set.errno());
            PosixException remove = assertThrows(PosixException.class, () -> v.removexattr("/", FileIds.COUNTER));
            assertEquals(Errno.EPERM, remove.errno());
        }
    }

    /**
     * Two tiers on two filesystems (ext4 below the temporary directory, tmpfs in /dev/shm) whose backing
     * inode numbers are unrelated: with the counter a composed volume shares between them, no id is
     * given twice, and reopened they go on from above every id given.
     */
    @Test
    void twoTiersOnTwoFilesystemsNeverCollide() throws Exception {
        Path hot = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-ids-");
        try {
            Path cold = tmp.resolve("cold");
            Map<Long, String> ids = new HashMap<>();
            for (int mount = 0; mount < 2; mount++) {
                IdCounter shared = new IdCounter(Posix.get());
                List<Volume> tiers = new ArrayList<>();
                tiers.add(Volumes.open(LocalConfig.defaults().withBaseDirectory(hot.resolve("base"))
                        .withStorageType(StorageType.TMPFS), Posix.get(), shared));
                tiers.add(Volumes.open(LocalConfig.defaults().withBaseDirectory(cold), Posix.get(), shared));
                try {
                    for (int i = 0; i < 50; i++) {
                        for (int t = 0; t < 2; t++) {
                            String name = "/m" + mount + "-t" + t + "-" + i;
                            touch(tiers.get(t), name);
                            String before = ids.put(tiers.get(t).getattr(name).ino, name);
                            assertEquals(null, before, "id of " + name + " was given to " + before);
                        }
                    }
                } finally {
                    for (Volume v : tiers) {
                        v.close();
                    }
                }
            }
            assertFalse(ids.isEmpty());
        } finally {
            new ProcessBuilder("rm", "-rf", hot.toString()).start().waitFor();
        }
    }
}
