package io.xdevfs.tiers;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A path namespace: attributes, directories, links and the way into a file's bytes ({@link Content}).
 *
 * <p>Paths are absolute within the volume ("/", "/pg_wal/000000010000000000000001"), as FUSE gives them.
 * Failures are {@link io.xdevfs.posix.PosixException}s whose errno is the POSIX answer; other
 * {@link IOException}s mean an I/O error. Implementations are thread-safe.
 */
public interface Volume extends Closeable {

    Stat getattr(String path) throws IOException;

    List<DirEntry> readdir(String path) throws IOException;

    /**
     * The names of directory {@code path} handed to {@code each} as they are read, until it returns
     * false: what the mount lists, so that a directory of millions of names is never held in the
     * daemon's heap. The default lists them first.
     */
    default void readdir(String path, java.util.function.Predicate<DirEntry> each) throws IOException {
        for (DirEntry e : readdir(path)) {
            if (!each.test(e)) {
                return;
            }
        }
    }

    void mkdir(String path, int mode, Owner owner) throws IOException;

    void rmdir(String path) throws IOException;

    void unlink(String path) throws IOException;

    /** open(2) with O_CREAT; {@code flags} are the caller's open flags (O_EXCL honoured). */
    Content create(String path, int flags, int mode, Owner owner) throws IOException;

    Content open(String path, int flags) throws IOException;

    void truncate(String path, long size) throws IOException;

    /** {@code flags}: 0, or renameat2's RENAME_NOREPLACE / RENAME_EXCHANGE. */
    void rename(String from, String to, int flags) throws IOException;

    void symlink(String target, String path, Owner owner) throws IOException;

    String readlink(String path) throws IOException;

    void link(String existing, String newPath) throws IOException;

    void chmod(String path, int mode) throws IOException;

    /** -1 leaves uid or gid unchanged. */
    void chown(String path, int uid, int gid) throws IOException;

    /** Nanosecond fields may be UTIME_NOW or UTIME_OMIT ({@link io.xdevfs.posix.Flags}). */
    void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException;

    /** Regular files, FIFOs and sockets; device nodes are refused with EPERM. */
    void mknod(String path, int mode, long rdev, Owner owner) throws IOException;

    FsStat statfs() throws IOException;

    /** Makes the directory's entries (creates, renames, unlinks in it) durable. */
    void syncDirectory(String path) throws IOException;

    /** access(2) for {@code caller}: throws EACCES or ENOENT. */
    void access(String path, int mask, Owner caller) throws IOException;

    /** getxattr(2): with a zero-capacity buffer returns the size needed. */
    int getxattr(String path, String name, ByteBuffer value) throws IOException;

    /**
     * Whether what is made in directory {@code dir} takes its access ACL from the directory's default
     * ACL: then the caller's umask does not apply to it (POSIX 1003.1e), else it does. A volume that
     * does not inherit default ACLs says no.
     */
    default boolean inheritsDefaultAcl(String dir) throws IOException {
        try {
            return getxattr(dir, "system.posix_acl_default", ByteBuffer.allocate(0)) > 0;
        } catch (io.xdevfs.posix.PosixException e) {
            if (e.errno() == io.xdevfs.posix.Errno.ENODATA || e.errno() == io.xdevfs.posix.Errno.EOPNOTSUPP) {
                return false;
            }
            throw e;
        }
    }

    void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException;

    int listxattr(String path, ByteBuffer names) throws IOException;

    void removexattr(String path, String name) throws IOException;

    /**
     * Proves the backing store takes writes now (a health check): writes and syncs a few bytes that no
     * name ever shows, or throws why it cannot.
     */
    default void checkWritable() throws IOException {
    }

    /** Registers the volume's own figures (open files, cache, compression) as gauges of {@code metrics}. */
    default void registerGauges(Metrics metrics) {
    }
}
