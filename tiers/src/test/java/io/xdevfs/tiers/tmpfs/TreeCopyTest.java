package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tree copy (the tmpfs backup's) keeps every kind of entry and what describes it, and copies from what
 * its walk found: names changed after the walk do not change the copy.
 */
class TreeCopyTest {
    @TempDir
    Path tmp;
    private final Posix posix = Posix.get();

    private Stat lstat(Path p) throws Exception {
        return posix.lstatAt(Flags.AT_FDCWD, Names.ofFound(p));
    }

    @Test
    void everyKindOfEntryKeepsItsOwnerModeTimesAndAttributes() throws Exception {
        Path from = Files.createDirectories(tmp.resolve("from"));
        Path dir = Files.createDirectories(from.resolve("dir"));
        Path tool = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        posix.lchownat(Flags.AT_FDCWD, Names.ofFound(tool), 123, 456);
        posix.fchmodat(Flags.AT_FDCWD, Names.ofFound(tool), 04755); // after the chown, which clears it
        posix.lsetxattr(Names.ofFound(tool), "user.note", ByteBuffer.allocateDirect(4).put("kept".getBytes()).flip(), 0);
        Files.setLastModifiedTime(tool, FileTime.fromMillis(1_000_000_123L));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("tool"));
        posix.lchownat(Flags.AT_FDCWD, Names.ofFound(link), 77, 88);
        posix.mknodat(Flags.AT_FDCWD, Names.ofFound(dir.resolve("fifo")), Flags.S_IFIFO | 0640, 0);
        Files.createLink(dir.resolve("second"), dir.resolve("tool"));
        Path sparse = dir.resolve("sparse");
        try (var ch = java.nio.channels.FileChannel.open(sparse, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("end".getBytes()), 1L << 30);
        }
        posix.fchmodat(Flags.AT_FDCWD, Names.ofFound(dir), 0710);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(2_000_000_000L));

        TreeCopy.Result r = new TreeCopy(posix, null, 0).copy(from, tmp.resolve("to"));

        Path to = tmp.resolve("to/dir");
        Stat t = lstat(to.resolve("tool"));
        assertEquals(04755, t.mode & 07777, "set-user-ID kept");
        assertEquals(123, t.uid);
        assertEquals(456, t.gid);
        assertEquals(1_000_000_123L, Files.getLastModifiedTime(to.resolve("tool")).toMillis());
        ByteBuffer note = ByteBuffer.allocateDirect(16);
        assertEquals(4, posix.lgetxattr(Names.ofFound(to.resolve("tool")), "user.note", note));
        assertEquals("#!/bin/sh\n", Files.readString(to.resolve("second")));
        assertEquals(t.ino, lstat(to.resolve("second")).ino, "hard links stay links");
        assertEquals("tool", Files.readSymbolicLink(to.resolve("link")).toString());
        assertEquals(77, lstat(to.resolve("link")).uid);
        Stat fifo = lstat(to.resolve("fifo"));
        assertEquals(Flags.S_IFIFO | 0640, fifo.mode);
        assertEquals(1L << 30 | 3, Files.size(to.resolve("sparse")));
        assertTrue(lstat(to.resolve("sparse")).blocks < 64, "holes stay holes");
        assertEquals(0710, lstat(to).mode & 07777);
        assertEquals(2_000_000_000L, Files.getLastModifiedTime(to).toMillis(), "a directory's time after its entries");
        assertEquals(5, r.files());
    }

    /** A host whose files cannot be reopened by handle (no CAP_DAC_READ_SEARCH, or no export support). */
    private static final class NoHandles extends io.xdevfs.posix.ForwardingPosix {
        NoHandles() {
            super(Posix.get());
        }

        @Override
        public byte[] fileHandleAt(int dirfd, String path) throws io.xdevfs.posix.PosixException {
            throw new io.xdevfs.posix.PosixException(io.xdevfs.posix.Errno.EOPNOTSUPP, "name_to_handle_at", null);
        }
    }

    private Posix posix(boolean byHandle) {
        return byHandle ? posix : new NoHandles();
    }

    @ParameterizedTest(name = "files found by handle: {0}")
    @ValueSource(booleans = {true, false})
    void theCopyIsOfTheNamesTheWalkFoundWhateverHappensAfter(boolean byHandle) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("from"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(from.resolve("f" + i), "content of " + i);
        }
        posix.lsetxattr(Names.ofFound(from.resolve("f1")), io.xdevfs.tiers.ReservedAttributes.FILE_ID,
                ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 4242), 0);
        posix.fchmodat(Flags.AT_FDCWD, Names.ofFound(from.resolve("f1")), 0604);
        TreeCopy copy = new TreeCopy(posix(byHandle), null, 0);
        copy.walk(from, tmp.resolve("to"));
        Files.move(from.resolve("f0"), from.resolve("renamed"));
        Files.delete(from.resolve("f1"));
        Files.writeString(from.resolve("new"), "after the walk");
        Files.writeString(from.resolve("f2"), "rewritten after the walk");
        TreeCopy.Result r = copy.finish();

        assertEquals(20, r.files());
        Path to = tmp.resolve("to");
        assertEquals("content of 0", Files.readString(to.resolve("f0")));
        // a file removed since the walk: its bytes from the descriptor the walk held, or none when the walk
        // named it by handle; either way there, with its id and mode, for the log's records up to its unlink
        assertEquals(byHandle ? "" : "content of 1", Files.readString(to.resolve("f1")));
        ByteBuffer id = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, posix.lgetxattr(Names.ofFound(to.resolve("f1")), io.xdevfs.tiers.ReservedAttributes.FILE_ID, id));
        assertEquals(4242, id.getLong(0));
        assertEquals(0604, lstat(to.resolve("f1")).mode & 07777);
        assertEquals("rewritten after the walk", Files.readString(to.resolve("f2")), "bytes as the copy read them");
        assertFalse(Files.exists(to.resolve("renamed")));
        assertFalse(Files.exists(to.resolve("new")));
    }

    @ParameterizedTest(name = "files found by handle: {0}")
    @ValueSource(booleans = {true, false})
    void aWalkHoldsAtMostTheBoundOpenAndTheCopyClosesThemAll(boolean byHandle) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("from"));
        int n = TreeCopy.MOST_HELD_OPEN * 2 + 17; // past the bound: part is copied during the walk
        for (int i = 0; i < n; i++) {
            Files.writeString(Files.createDirectories(from.resolve("d" + i % 3)).resolve("f" + i), "content of " + i);
        }
        long open = openDescriptors();
        TreeCopy copy = new TreeCopy(posix(byHandle), null, 0);
        copy.walk(from, tmp.resolve("to"));
        long held = openDescriptors() - open;
        assertTrue(byHandle ? held <= 1 : held > 1 && held <= TreeCopy.MOST_HELD_OPEN, "held open: " + held);
        assertEquals(n, copy.finish().files());
        for (int i = 0; i < n; i++) {
            assertEquals("content of " + i, Files.readString(tmp.resolve("to/d" + i % 3 + "/f" + i)));
        }
        assertEquals(open, openDescriptors(), "every file the walk opened is closed");
    }

    @ParameterizedTest(name = "files found by handle: {0}")
    @ValueSource(booleans = {true, false})
    void aCopyThatFailsClosesWhatItHeld(boolean byHandle) throws Exception {
        Path from = Files.createDirectories(tmp.resolve("from"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(from.resolve("f" + i), "x");
        }
        Path to = tmp.resolve("to");
        long open = openDescriptors();
        TreeCopy copy = new TreeCopy(posix(byHandle), null, 0);
        copy.walk(from, to);
        Files.createDirectories(to);
        Files.writeString(to.resolve("f5"), "in the way", StandardCharsets.US_ASCII); // O_EXCL fails there
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class, copy::finish);
        assertEquals(open, openDescriptors());
    }

    private static long openDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
