package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.ForwardingPosix;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parent-directory descriptors a volume keeps: reused, forgotten on rename and rmdir, bounded, expiring. */
class ParentDirectoriesTest {
    @TempDir
    Path tmp;

    private final Set<Integer> open = new HashSet<>();
    private int opens;
    private final AtomicLong now = new AtomicLong();
    private int baseFd;
    private ParentDirectories parents;

    private final Posix posix = new ForwardingPosix(Posix.get()) {
        @Override
        public int openBeneath(int dirfd, String path, int flags) throws PosixException {
            int fd = super.openBeneath(dirfd, path, flags);
            opens++;
            open.add(fd);
            return fd;
        }

        @Override
        public void close(int fd) throws PosixException {
            assertTrue(open.remove(fd) || fd == baseFd, "closed once, and only what was opened: " + fd);
            super.close(fd);
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        for (String d : new String[] {"a/b", "a/bc", "c"}) {
            Files.createDirectories(tmp.resolve(d));
        }
        baseFd = Posix.get().openat(Flags.AT_FDCWD, tmp.toString(), Flags.O_PATH | Flags.O_DIRECTORY, 0);
        parents = new ParentDirectories(posix, baseFd, now::get);
    }

    @AfterEach
    void tearDown() throws Exception {
        parents.close();
        assertTrue(open.isEmpty(), "every descriptor closed: " + open);
        Posix.get().close(baseFd);
    }

    private int use(String relative) throws PosixException {
        ParentDirectories.Entry e = parents.acquire(relative);
        parents.release(e);
        return e.fd;
    }

    @Test
    void aParentIsOpenedOnceAndReused() throws Exception {
        int fd = use("a/b");
        assertEquals(fd, use("a/b"));
        assertEquals(1, opens);
        now.addAndGet(ParentDirectories.TTL_NANOS);
        use("a/b");
        assertEquals(2, opens, "expired after its time: a change behind the mount's back shows");
    }

    @Test
    void forgettingAPathForgetsItAndWhatIsBelowItOnly() throws Exception {
        use("a");
        use("a/b");
        use("a/bc");
        use("c");
        parents.forget("/a/b");
        assertEquals(3, parents.held(), "a/bc is not below a/b");
        parents.forget("/a");
        assertEquals(1, parents.held());
        opens = 0;
        use("c");
        assertEquals(0, opens);
    }

    @Test
    void anEntryForgottenWhileInUseIsClosedByItsLastUser() throws Exception {
        ParentDirectories.Entry e = parents.acquire("a/b");
        parents.forget("/a");
        assertTrue(open.contains(e.fd), "still in use");
        assertNotEquals(e.fd, use("a/b"), "a new descriptor for the name");
        parents.release(e);
        assertFalse(open.contains(e.fd));
    }

    @Test
    void theNumberHeldIsBounded() throws Exception {
        for (int i = 0; i <= ParentDirectories.MAX_ENTRIES; i++) {
            Files.createDirectories(tmp.resolve("many/" + i));
            use("many/" + i);
        }
        assertEquals(ParentDirectories.MAX_ENTRIES, parents.held());
        assertEquals(ParentDirectories.MAX_ENTRIES, open.size());
    }

    @Test
    void whatCannotBeOpenedBeneathIsRefusedAndNotHeld() throws Exception {
        Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("a"));
        PosixException e = assertThrows(PosixException.class, () -> parents.acquire("link/b"));
        assertEquals(Errno.ELOOP, e.errno());
        assertEquals(0, parents.held());
    }
}
