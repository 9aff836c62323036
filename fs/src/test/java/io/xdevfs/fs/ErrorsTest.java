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
}
