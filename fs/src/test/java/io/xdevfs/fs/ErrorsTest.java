package io.xdevfs.fs;

import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** No failure may read as success: every throwable becomes a negative errno. */
class ErrorsTest {
    @Test
    void posixFailuresKeepTheirErrno() {
        assertEquals(-Errno.ENOTEMPTY, Errors.toErrno("rmdir", "/d", new PosixException(Errno.ENOTEMPTY, "rmdir", "/d")));
        assertEquals(-Errno.ENOSPC, Errors.toErrno("write", "/f", new PosixException(Errno.ENOSPC, "pwrite", null)));
    }

    @Test
    void javaExceptionsMapToTheirErrno() {
        assertEquals(-Errno.ENOENT, Errors.toErrno("x", "/", new NoSuchFileException("/")));
        assertEquals(-Errno.EEXIST, Errors.toErrno("x", "/", new FileAlreadyExistsException("/")));
        assertEquals(-Errno.ENOTEMPTY, Errors.toErrno("x", "/", new DirectoryNotEmptyException("/")));
    }

    @Test
    void anythingElseIsAnIoErrorNeverZero() {
        assertEquals(-Errno.EIO, Errors.toErrno("write", "/f", new IOException("disk on fire")));
        assertEquals(-Errno.EIO, Errors.toErrno("write", "/f", new NullPointerException()));
        assertEquals(-Errno.EIO, Errors.toErrno("write", "/f", new StackOverflowError()));
        assertEquals(-Errno.ENOMEM, Errors.toErrno("write", "/f", new OutOfMemoryError()));
    }

    /**
     * A request by handle: the file's inode is looked up for the log only when the answer is EIO, and a
     * file that cannot even say its inode still gets its errno.
     */
    @Test
    void aFailureByHandleKeepsItsErrnoAndAsksTheFileOnlyForEio() {
        int[] asked = {0};
        io.xdevfs.tiers.Content broken = (io.xdevfs.tiers.Content) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.xdevfs.tiers.Content.class}, (proxy, method, args) -> {
                    asked[0]++;
                    throw new IOException("cannot stat either");
                });
        assertEquals(-Errno.ENOSPC, Errors.toErrno("write", broken, new PosixException(Errno.ENOSPC, "pwrite", null)));
        assertEquals(0, asked[0], "no question for an errno the log does not report");
        assertEquals(-Errno.EIO, Errors.toErrno("write", broken, new PosixException(Errno.EIO, "block 0", null)));
        assertEquals(1, asked[0], "asked its inode for the log");
        assertEquals(-Errno.EIO, Errors.toErrno("fsync", (io.xdevfs.tiers.Content) null, new IllegalStateException()));
    }
}
