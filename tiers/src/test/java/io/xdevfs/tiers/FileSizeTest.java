package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Posix.fileSize (statx with STATX_SIZE alone) agrees with fstat through writes, holes and truncation. */
class FileSizeTest {
    private final Posix posix = Posix.get();

    @Test
    void theSizeIsFstatsThroughWritesHolesAndTruncation(@TempDir Path dir) throws Exception {
        int fd = posix.openat(Flags.AT_FDCWD, Names.of(dir.resolve("f")), Flags.O_RDWR | Flags.O_CREAT, 0600);
        try {
            assertEquals(0, posix.fileSize(fd));
            posix.pwrite(fd, ByteBuffer.allocateDirect(8268), 0);
            assertEquals(8268, posix.fileSize(fd));
            posix.pwrite(fd, ByteBuffer.allocateDirect(1), (5L << 30) - 1); // past 4 GiB, a hole before it
            assertEquals(5L << 30, posix.fileSize(fd));
            assertEquals(posix.fstat(fd).size, posix.fileSize(fd));
            posix.ftruncate(fd, 12345);
            assertEquals(12345, posix.fileSize(fd));
        } finally {
            posix.close(fd);
        }
        PosixException bad = assertThrows(PosixException.class, () -> posix.fileSize(-1));
        assertEquals(Errno.EBADF, bad.errno());
    }
}
