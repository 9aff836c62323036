package io.xdevfs.fs.fuse;

import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Map;

/**
 * The one error ladder of the FUSE frontend: what a failed operation returns to the kernel. A
 * {@link PosixException} carries its own errno; known Java exceptions map to theirs; anything else
 * is logged once with its stack and becomes EIO, so no failure can ever read as success.
 */
public final class Errors {
    /** Returns the negative errno for the kernel. */
    public static int toErrno(String op, String path, Throwable t) {
        if (t instanceof PosixException p) {
            if (p.errno() == Errno.EIO) {
                Log.warn(op + " " + io.xdevfs.posix.Names.display(path) + ": " + p.getMessage());
            }
            return -p.errno();
        }
        int errno = classify(t);
        if (errno == Errno.EIO || errno == Errno.ENOMEM) {
            Log.error(op + " " + io.xdevfs.posix.Names.display(path) + " failed; answering errno " + errno + " ("
                    + Errno.describe(errno) + ")", t);
        }
        return -errno;
    }

    /**
     * As {@link #toErrno(String, String, Throwable)} for a request that names an open file by its handle
     * (the request hooks answer those without a path): the log names the file's inode instead.
     */
    public static int toErrno(String op, io.xdevfs.tiers.Content open, Throwable t) {
        String which = "(an open file)";
        if (open != null && (t instanceof PosixException p ? p.errno() == Errno.EIO : classify(t) == Errno.EIO)) {
            try {
                which = "(an open file, inode " + open.attributes().ino + ")";
            } catch (Exception | Error e) {
                // the file cannot say: the log says less
            }
        }
        return toErrno(op, which, t);
    }

    /** Java's exceptions with a POSIX meaning, most specific first. */
    private static final List<Map.Entry<Class<? extends Throwable>, Integer>> LADDER = List.of(
            Map.entry(NoSuchFileException.class, Errno.ENOENT),
            Map.entry(FileAlreadyExistsException.class, Errno.EEXIST),
            Map.entry(DirectoryNotEmptyException.class, Errno.ENOTEMPTY),
            Map.entry(NotDirectoryException.class, Errno.ENOTDIR),
            Map.entry(AccessDeniedException.class, Errno.EACCES),
            Map.entry(ClosedChannelException.class, Errno.EBADF),
            Map.entry(OutOfMemoryError.class, Errno.ENOMEM));

    static int classify(Throwable t) {
        for (Map.Entry<Class<? extends Throwable>, Integer> rung : LADDER) {
            if (rung.getKey().isInstance(t)) {
                return rung.getValue();
            }
        }
        return Errno.EIO; // any other IOException, RuntimeException or Error
    }

    private Errors() {
    }
}
