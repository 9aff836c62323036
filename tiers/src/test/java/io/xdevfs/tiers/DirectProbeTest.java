package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.format.DirectFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mount-time O_DIRECT probe: refuses what O_DIRECT refuses, and never a filesystem that is only full. */
class DirectProbeTest {
    @TempDir
    Path tmp;
    private final FaultyPosix posix = new FaultyPosix();
    private int dir;

    @BeforeEach
    void openDirectory() throws Exception {
        dir = posix.openat(Flags.AT_FDCWD, tmp.toString(), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
    }

    @AfterEach
    void closeDirectory() throws Exception {
        posix.clearFaults();
        posix.close(dir);
    }

    @Test
    void aWorkingDirectoryPasses() {
        assertNull(DirectFormat.probe(posix, dir, 4096));
    }

    /** A direct mount over a full disk failed with "O_DIRECT probe failed: errno 28": its files could not be reached. */
    @Test
    void aFullFilesystemStillMounts() {
        posix.fail("pwrite", Errno.ENOSPC);
        assertNull(DirectFormat.probe(posix, dir, 4096));
        posix.fail("pwrite", Errno.EDQUOT);
        assertNull(DirectFormat.probe(posix, dir, 4096));
    }

    @Test
    void anAlignmentTheDeviceRefusesIsNamed() {
        posix.fail("pwrite", Errno.EINVAL);
        String reason = DirectFormat.probe(posix, dir, 4096);
        assertTrue(reason != null && reason.contains("io_alignment 4096"), reason);
    }

    @Test
    void anotherWriteErrorStillFailsTheMount() {
        posix.fail("pwrite", Errno.EIO);
        String reason = DirectFormat.probe(posix, dir, 4096);
        assertTrue(reason != null && reason.contains("errno 5"), reason);
    }
}
