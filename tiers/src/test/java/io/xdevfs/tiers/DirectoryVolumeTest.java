package io.xdevfs.tiers;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.directory.DirectoryVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The regular storage type without a mount: namespace, content, errno and confinement. */
class DirectoryVolumeTest {
    @TempDir
    Path tmp;
    Path base;
    Volume volume;

    @BeforeEach
    void open() throws Exception {
        base = tmp.resolve("base");
        volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(base));
    }

    @AfterEach
    void close() throws Exception {
        volume.close();
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String read(Content c, long offset, int length) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(length);
        int n = c.read(buf, offset);
        byte[] out = new byte[n];
        buf.flip().get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    static void assertErrno(int errno, Executable call) {
        PosixException e = assertThrows(PosixException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
    }

    @Test
    void createsTheBaseDirectoryAndRefusesAFileInItsPlace() throws Exception {
        assertTrue(Files.isDirectory(base));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        VolumeException e = assertThrows(VolumeException.class,
                () -> Volumes.open(LocalConfig.defaults().withBaseDirectory(file)));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }

    @Test
    void writeReadTruncateAndAttributes() throws Exception {
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            assertEquals(5, c.write(bytes("hello"), 0));
            assertEquals(3, c.write(bytes("end"), 10));
            assertEquals("hello\0\0\0\0\0end", read(c, 0, 100));
            c.truncate(2);
            assertEquals("he", read(c, 0, 100));
            c.truncate(4);
            assertEquals("he\0\0", read(c, 0, 100));
            Stat st = c.attributes();
            assertEquals(4, st.size);
            assertTrue(st.isRegularFile());
        }
        assertEquals(4, volume.getattr("/f").size);
        volume.truncate("/f", 0);
        assertEquals(0, Files.size(base.resolve("f")));
    }

    @Test
    void errnoOfTheCommonFailures() throws Exception {
        volume.mkdir("/d", 0755, null);
        volume.create("/d/f", Flags.O_WRONLY, 0644, null).close();
        assertErrno(Errno.ENOENT, () -> volume.getattr("/missing"));
        assertErrno(Errno.EEXIST, () -> volume.mkdir("/d", 0755, null));
        assertErrno(Errno.ENOTEMPTY, () -> volume.rmdir("/d"));
        assertErrno(Errno.ENOTDIR, () -> volume.rmdir("/d/f"));
        assertErrno(Errno.EISDIR, () -> volume.unlink("/d"));
        assertErrno(Errno.EEXIST, () -> volume.create("/d/f", Flags.O_WRONLY | Flags.O_EXCL, 0644, null));
        assertErrno(Errno.ENOTDIR, () -> volume.getattr("/d/f/below"));
        if (io.xdevfs.posix.Posix.get().geteuid() == 0) { // the kernel checks CAP_MKNOD before it asks us
            volume.mknod("/dev", Flags.S_IFCHR | 0600, 0x103, null);
            assertEquals(0x103, volume.getattr("/dev").rdev);
        } else {
            assertErrno(Errno.EPERM, () -> volume.mknod("/dev", Flags.S_IFCHR | 0600, 0x103, null));
        }
        assertErrno(Errno.EOPNOTSUPP, () -> {
            try (Content c = volume.open("/d/f", Flags.O_RDWR)) {
                c.allocate(0x40, 0, 4096); // FALLOC_FL_UNSHARE_RANGE: not one the formats pass through
            }
        });
        assertErrno(Errno.EBADF, () -> {
            try (Content c = volume.open("/d/f", Flags.O_RDONLY)) {
                c.allocate(Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, 0, 4096); // the backing fs answers
            }
        });
    }

    @Test
    void anUnlinkedOpenFileKeepsItsBytes() throws Exception {
        try (Content c = volume.create("/wal", Flags.O_RDWR, 0600, null)) {
            c.write(bytes("record"), 0);
            volume.unlink("/wal");
            assertErrno(Errno.ENOENT, () -> volume.getattr("/wal"));
            c.write(bytes("!"), 6);
            assertEquals("record!", read(c, 0, 64));
            c.sync(true);
        }
    }

    @Test
    void readdirListsNamesWithoutDotEntries() throws Exception {
        volume.mkdir("/dir", 0755, null);
        volume.create("/dir/a", Flags.O_WRONLY, 0644, null).close();
        volume.symlink("a", "/dir/link", null);
        List<String> names = volume.readdir("/dir").stream().map(DirEntry::name).sorted().toList();
        assertEquals(List.of("a", "link"), names);
        assertEquals("a", volume.readlink("/dir/link"));
        assertTrue(volume.getattr("/dir/link").isSymlink());

        List<String> streamed = new java.util.ArrayList<>();
        volume.readdir("/dir", e -> streamed.add(e.name()) && false);
        assertEquals(1, streamed.size(), "a listing handed out name by name stops when asked");
        List<String> root = new java.util.ArrayList<>();
        volume.readdir("/", e -> root.add(e.name()));
        assertEquals(List.of("dir"), root, "the volume header is not listed");
    }

    @Test
    void hardLinksShareOneFile() throws Exception {
        try (Content c = volume.create("/a", Flags.O_RDWR, 0644, null)) {
            c.write(bytes("one"), 0);
        }
        volume.link("/a", "/b");
        assertEquals(2, volume.getattr("/a").nlink);
        volume.chmod("/b", 0600);
        assertEquals(0600, volume.getattr("/a").mode & 07777);
        volume.rename("/b", "/c", 0);
        assertEquals(volume.getattr("/a").ino, volume.getattr("/c").ino);
    }

    @Test
    void masksFromTheConfigurationApplyToNewFilesAndDirectories() throws Exception {
        volume.close();
        volume = Volumes.open(new LocalConfig(base, StorageType.REGULAR, 0640, 0750, false, true, 100,
                Preallocation.NONE));
        volume.create("/f", Flags.O_WRONLY, 0666, null).close();
        volume.mkdir("/d", 0777, null);
        assertEquals(0640, volume.getattr("/f").mode & 07777);
        assertEquals(0750, volume.getattr("/d").mode & 07777);
    }

    @Test
    void preallocationReservesSpaceWithoutChangingTheSize() throws Exception {
        volume.close();
        volume = Volumes.open(new LocalConfig(base, StorageType.REGULAR, 07777, 07777, false, true, 100,
                new Preallocation(1 << 20, 4 << 20)));
        try (Content c = volume.create("/seg", Flags.O_RDWR, 0600, null)) {
            assertEquals(0, c.attributes().size);
            assertTrue(c.attributes().blocks * 512 >= 1 << 20, "default_file_size is reserved on create");
            c.write(bytes("x"), (1 << 20) + 10);
            assertEquals((1 << 20) + 11, c.attributes().size);
            assertTrue(c.attributes().blocks * 512 >= 4 << 20, "a write past it reserves up to the next extent");
            assertEquals("x", read(c, (1 << 20) + 10, 5));
        }
    }

    /** More open files than max_open_files: idle descriptors are parked and reopened, through renames and unlinks. */
    @Test
    void maxOpenFilesBoundsBackingDescriptorsNotOpenFiles() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Posix.get().geteuid() == 0, "open_by_handle_at needs root");
        volume.close();
        volume = Volumes.open(new LocalConfig(base, StorageType.REGULAR, 07777, 07777, false, true, 2,
                Preallocation.NONE));
        DirectoryVolume dv = (DirectoryVolume) volume;
        Content[] open = new Content[6];
        for (int i = 0; i < open.length; i++) {
            open[i] = volume.create("/f" + i, Flags.O_RDWR, 0644, null);
            assertTrue(dv.openFiles() <= 2, "descriptors open: " + dv.openFiles());
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < open.length; i++) {
                open[i].write(bytes("r" + round + "f" + i + ";"), round * 5L);
                assertTrue(dv.openFiles() <= 2, "descriptors open: " + dv.openFiles());
            }
        }
        volume.rename("/f0", "/renamed", 0); // f0 is parked: its handle still names the inode
        volume.unlink("/f1");                 // f1 is parked: it is reopened and kept before its last name goes
        volume.rename("/f3", "/f2", 0);       // f2 loses its name to f3
        for (int i = 0; i < open.length; i++) {
            assertEquals("r0f" + i + ";r1f" + i + ";r2f" + i + ";", read(open[i], 0, 100), "file " + i);
        }
        for (Content c : open) {
            c.close();
        }
        assertEquals(0, dv.openFiles());
        assertEquals("r0f0;r1f0;r2f0;", Files.readString(base.resolve("renamed")));
    }

    /** Unlinked open files cannot be parked: beyond the bound a create fails with ENFILE and creates nothing. */
    @Test
    void aCreateRefusedWithEnfileLeavesNoName() throws Exception {
        volume.close();
        volume = Volumes.open(new LocalConfig(base, StorageType.REGULAR, 07777, 07777, false, true, 2,
                Preallocation.NONE));
        Content a = volume.create("/a", Flags.O_RDWR, 0644, null);
        Content b = volume.create("/b", Flags.O_RDWR, 0644, null);
        volume.unlink("/a");
        volume.unlink("/b");
        assertErrno(Errno.ENFILE, () -> volume.create("/c", Flags.O_RDWR, 0644, null));
        assertFalse(Files.exists(base.resolve("c")));
        a.close();
        volume.create("/c", Flags.O_RDWR, 0644, null).close();
        b.close();
        assertEquals(0, ((DirectoryVolume) volume).openFiles());
    }

    /**
     * Parent directories stay open between calls: once a directory is renamed, removed, renamed over or
     * exchanged through the volume, a name below its old name means what is there now.
     */
    @Test
    void aNameBelowARenamedOrRemovedDirectoryMeansWhatIsThereNow() throws Exception {
        volume.mkdir("/a", 0755, null);
        volume.mkdir("/a/in", 0755, null);
        volume.create("/a/in/x", Flags.O_WRONLY, 0644, null).close();
        volume.rename("/a", "/b", 0);
        volume.mkdir("/a", 0755, null);
        volume.mkdir("/a/in", 0755, null);
        volume.create("/a/in/y", Flags.O_WRONLY, 0644, null).close();
        assertTrue(Files.exists(base.resolve("b/in/x")));
        assertTrue(Files.exists(base.resolve("a/in/y")), "not in the renamed directory");
        assertErrno(Errno.ENOENT, () -> volume.getattr("/a/in/x"));
        assertErrno(Errno.ENOENT, () -> volume.getattr("/b/in/y"));

        volume.unlink("/a/in/y");
        volume.rmdir("/a/in");
        volume.mkdir("/a/in", 0755, null);
        volume.create("/a/in/z", Flags.O_WRONLY, 0644, null).close();
        assertTrue(Files.exists(base.resolve("a/in/z")), "in the directory made again");

        volume.mkdir("/c", 0755, null);
        volume.create("/c/gone", Flags.O_WRONLY, 0644, null).close();
        volume.unlink("/c/gone");
        volume.mkdir("/d", 0755, null);
        volume.rename("/d", "/c", 0);
        volume.create("/c/g", Flags.O_WRONLY, 0644, null).close();
        assertTrue(Files.exists(base.resolve("c/g")), "in the directory renamed over the old one");

        volume.mkdir("/e", 0755, null);
        volume.mkdir("/f", 0755, null);
        volume.create("/e/1", Flags.O_WRONLY, 0644, null).close();
        volume.create("/f/2", Flags.O_WRONLY, 0644, null).close();
        volume.rename("/e", "/f", Flags.RENAME_EXCHANGE);
        volume.create("/e/3", Flags.O_WRONLY, 0644, null).close();
        assertTrue(Files.exists(base.resolve("e/2")) && Files.exists(base.resolve("e/3")), "beside 2 after the exchange");
        assertTrue(Files.exists(base.resolve("f/1")));
    }

    /** A file that loses a name while open says so: its close is what frees its space. */
    @Test
    void anOpenFileThatLosesANameMayHaveNoName() throws Exception {
        try (Content kept = volume.create("/kept", Flags.O_RDWR, 0644, null);
             Content unlinked = volume.create("/unlinked", Flags.O_RDWR, 0644, null);
             Content replaced = volume.create("/replaced", Flags.O_RDWR, 0644, null)) {
            volume.create("/other", Flags.O_RDWR, 0644, null).close();
            volume.unlink("/unlinked");
            volume.rename("/other", "/replaced", 0);
            assertFalse(kept.mayHaveNoName());
            assertTrue(unlinked.mayHaveNoName());
            assertTrue(replaced.mayHaveNoName());
        }
    }

    @Test
    void nothingOutsideTheBaseDirectoryIsReachable() throws Exception {
        Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(tmp.resolve("outside/secret"), "secret");
        Files.createSymbolicLink(base.resolve("escape"), tmp.resolve("outside"));
        Files.createSymbolicLink(base.resolve("relative"), Path.of("../outside"));
        assertErrno(Errno.ELOOP, () -> volume.getattr("/escape/secret"));
        assertErrno(Errno.ELOOP, () -> volume.getattr("/relative/secret"));
        assertErrno(Errno.ELOOP, () -> volume.open("/escape", Flags.O_RDONLY));
        assertErrno(Errno.ENOTDIR, () -> volume.readdir("/escape")); // a symlink is not opened as a directory
        assertErrno(Errno.ELOOP, () -> volume.create("/escape/new", Flags.O_WRONLY, 0644, null));
        assertErrno(Errno.ELOOP, () -> volume.getxattr("/escape/secret", "user.x", ByteBuffer.allocateDirect(0)));
        assertErrno(Errno.EINVAL, () -> volume.getattr("/../outside/secret"));
        assertErrno(Errno.EINVAL, () -> volume.getattr("/./x"));
        assertErrno(Errno.EINVAL, () -> volume.getattr("relative"));
        assertErrno(Errno.EINVAL, () -> volume.getattr("//x"));
        var before = Files.getPosixFilePermissions(tmp.resolve("outside"));
        assertErrno(Errno.EOPNOTSUPP, () -> volume.chmod("/escape", 0600)); // never the target's mode
        assertEquals(before, Files.getPosixFilePermissions(tmp.resolve("outside")));
        assertFalse(Files.exists(tmp.resolve("outside/new")));
    }
}
