package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.ReservedAttributes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The file ids xdevfs owns: a 64-bit number per file and directory, the inode number the kernel sees
 * and the key of every per-file table. It is stored with the file, in the extended attribute
 * {@value #XATTR} (8 bytes, little-endian), so it survives rename, remount and a copy of the base
 * directory that keeps extended attributes ({@code cp -a}, {@code rsync -X}), and will follow a file
 * from one tier to another. The attribute never shows on the mount.
 *
 * <p>Ids come from an {@link IdCounter}: the volume's own, whose mark is kept on the base directory
 * ({@value #COUNTER}), or one shared with the other tiers of a composed volume. A base directory
 * without the mark (made before ids, or copied without it) is adopted: every file and directory
 * without an id gets one, above the largest id found.
 *
 * <p>Where the backing filesystem keeps no user extended attributes, and for symlinks and special
 * files (which cannot carry them), the id is the backing inode number with bit 62 set: stable while
 * the file stays where it is, never equal to a counter id. Thread-safe.
 */
public final class FileIds {
    private static final String PREFIX = ReservedAttributes.PREFIX;
    public static final String XATTR = ReservedAttributes.FILE_ID;
    public static final String COUNTER = "user.xdevfs.next_id";
    /** Set in every id that is not recorded with its file. */
    public static final long UNRECORDED = 1L << 62;

    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN));

    private final Posix posix;
    /** The base directory, readable: fsetxattr and fsync refuse an O_PATH descriptor. */
    private final int dirFd;
    /** Null where the backing filesystem keeps no user attributes: every id is then unrecorded. */
    private final IdCounter counter;

    private FileIds(Posix posix, int dirFd, IdCounter counter) {
        this.posix = posix;
        this.dirFd = dirFd;
        this.counter = counter;
    }

    /**
     * The ids of the base directory open at {@code baseFd}, given by {@code shared} (or by a counter
     * of the volume's own when null), adopting its files if it has no mark yet.
     */
    static FileIds open(Posix posix, int baseFd, IdCounter shared) throws IOException {
        int dir = posix.openat(baseFd, ".", Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        try {
            long mark = read(posix, dir, COUNTER);
            if (mark == 0) {
                return new FileIds(posix, dir, null);
            }
            IdCounter counter = shared != null ? shared : new IdCounter(posix);
            counter.attach(dir, mark);
            FileIds ids = new FileIds(posix, dir, counter);
            if (mark < 0) {
                try {
                    ids.adopt(Path.of("/proc/self/fd/" + dir).toRealPath());
                } catch (PosixException e) {
                    if (e.errno() != Errno.EPERM && e.errno() != Errno.EACCES && e.errno() != Errno.EROFS) {
                        throw e;
                    }
                    counter.detach(dir);
                    return new FileIds(posix, dir, null); // not ours to mark (another owner, read-only)
                }
            }
            return ids;
        } catch (IOException | RuntimeException e) {
            posix.close(dir);
            throw e;
        }
    }

    /** The value of {@code name} on {@code dirFd}: -1 if absent, 0 if the filesystem keeps no user attributes. */
    private static long read(Posix posix, int fd, String name) throws PosixException {
        ByteBuffer b = SCRATCH.get().clear();
        try {
            return posix.fgetxattr(fd, name, b) == 8 ? b.getLong(0) : -1;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA) {
                return -1;
            }
            if (e.errno() == Errno.EOPNOTSUPP) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * Gives every file and directory below {@code root} without an id one, above the largest found.
     * Two walks, neither keeping a list: a base directory of millions of files is adopted in the heap
     * a walk needs (one list of the files without ids took a 24 MiB heap down at 150,000 files).
     */
    private void adopt(Path root) throws IOException {
        long[] max = {0};
        eachAdoptable(root, path -> max[0] = Math.max(max[0], idAt(path)));
        counter.atLeast(max[0] + 1);
        eachAdoptable(root, path -> {
            if (idAt(path) < 0) {
                assignAt(path);
            }
        });
        counter.record(); // even with nothing to adopt, the base now says it has ids
    }

    @FunctionalInterface
    private interface PathAction {
        void apply(String path) throws PosixException;
    }

    /** Each regular file and directory below {@code root} (not the volume header), by its name's bytes. */
    private static void eachAdoptable(Path root, PathAction action) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.skip(1)::iterator) {
                if (BaseDirectory.isReserved("/" + root.relativize(p)) || Files.isSymbolicLink(p)
                        || !(Files.isRegularFile(p) || Files.isDirectory(p))) {
                    continue;
                }
                action.apply(Names.ofFound(p)); // the name's bytes, UTF-8 or not
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The recorded id at {@code path} (a safe path such as /proc/self/fd/N/name), -1 if it has none. */
    private long idAt(String path) throws PosixException {
        ByteBuffer b = SCRATCH.get().clear();
        try {
            return posix.lgetxattr(path, XATTR, b) == 8 ? valid(b.getLong(0)) : -1;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.EPERM) {
                return -1;
            }
            throw e;
        }
    }

    private static long valid(long id) {
        return id > 0 && id < UNRECORDED ? id : -1;
    }

    /** The id of the file {@code st} describes, found at {@code path}. */
    long of(String path, Stat st) throws PosixException {
        if (counter == null || !(st.isRegularFile() || st.isDirectory())) {
            return unrecorded(st);
        }
        Inode inode = new Inode(st.dev, st.ino);
        Seen seen = recent.getIfPresent(inode);
        long now = System.nanoTime();
        if (seen != null && seen.describes(st, directoryGeneration.get(), now)) {
            return seen.id;
        }
        long id = idAt(path);
        id = id > 0 ? id : unrecorded(st);
        remember(st, id, now);
        return id;
    }

    /**
     * A file's id as last read, valid while its change time is unchanged: the attribute cannot change
     * without changing ctime, and a new file that reuses a freed inode number has another ctime (to the
     * nanosecond on ext4, xfs, btrfs and tmpfs; every open through the volume refreshes it too). It
     * saves getattr the attribute read through /proc, about a quarter of a stat's cost on the mount.
     *
     * <p>A directory's ctime changes with every name made or removed in it, and the kernel asks for
     * the directory's attributes after each such change: there the id is also taken as valid for
     * {@link #DIRECTORY_TTL_NANOS}, until a rename or rmdir through the volume ({@link #directoriesChanged})
     * may have let another directory take the inode number. One made so behind the mount's back within
     * that second shows the id of the one it replaced until then.
     */
    private record Inode(long dev, long ino) {
    }

    private record Seen(long ctimeSec, long ctimeNsec, long id, boolean directory, long generation, long until) {
        boolean describes(Stat st, long currentGeneration, long now) {
            if (ctimeSec == st.ctimeSec && ctimeNsec == st.ctimeNsec) {
                return true;
            }
            return directory && st.isDirectory() && generation == currentGeneration && now - until < 0;
        }
    }

    static final long DIRECTORY_TTL_NANOS = 1_000_000_000L;

    private final com.github.benmanes.caffeine.cache.Cache<Inode, Seen> recent =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(16_384).executor(Runnable::run).build();
    private final java.util.concurrent.atomic.AtomicLong directoryGeneration = new java.util.concurrent.atomic.AtomicLong();

    /** A rename or rmdir went through the volume: a directory's inode number may now be another's. */
    void directoriesChanged() {
        directoryGeneration.incrementAndGet();
    }

    private void remember(Stat st, long id, long now) {
        recent.put(new Inode(st.dev, st.ino), new Seen(st.ctimeSec, st.ctimeNsec, id, st.isDirectory(),
                directoryGeneration.get(), now + DIRECTORY_TTL_NANOS));
    }

    /** The id of the file open as {@code fd}, which {@code st} describes. */
    long of(int fd, Stat st) throws PosixException {
        if (counter == null || !(st.isRegularFile() || st.isDirectory())) {
            return unrecorded(st);
        }
        ByteBuffer b = SCRATCH.get().clear();
        long id;
        try {
            id = posix.fgetxattr(fd, XATTR, b) == 8 ? valid(b.getLong(0)) : -1;
        } catch (PosixException e) {
            if (e.errno() != Errno.ENODATA && e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            id = -1;
        }
        id = id > 0 ? id : unrecorded(st);
        remember(st, id, System.nanoTime());
        return id;
    }

    private static long unrecorded(Stat st) {
        return UNRECORDED | st.ino;
    }

    /** Records a new id with the file open as {@code fd} (just created); returns it, -1 when none was recorded. */
    long assign(int fd) throws PosixException {
        return record(id -> posix.fsetxattr(fd, XATTR, id, Flags.XATTR_CREATE));
    }

    /** Records a new id with the file or directory at {@code path} (a safe path; just created). */
    void assignAt(String path) throws PosixException {
        record(id -> posix.lsetxattr(path, XATTR, id, Flags.XATTR_CREATE));
    }

    /** {@code id}, which {@link #assign} has just given the file {@code st} describes: nothing to read back. */
    long assigned(Stat st, long id) {
        remember(st, id, System.nanoTime());
        return id;
    }

    @FunctionalInterface
    private interface Setter {
        void set(ByteBuffer id) throws PosixException;
    }

    private long record(Setter setter) throws PosixException {
        if (counter == null) {
            return -1;
        }
        try {
            long id = counter.next();
            setter.set(SCRATCH.get().clear().putLong(0, id));
            return id;
        } catch (PosixException e) {
            tolerate(e);
            return -1;
        }
    }

    /**
     * A file that cannot take the attribute (another filesystem below, no room for it), or a counter
     * that cannot record its mark (a sticky base directory the daemon does not own), leaves the file
     * with an unrecorded id: the create itself goes on.
     */
    private static void tolerate(PosixException e) throws PosixException {
        if (e.errno() != Errno.EEXIST && e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EPERM
                && e.errno() != Errno.EACCES && e.errno() != Errno.EROFS && e.errno() != Errno.ENOSPC
                && e.errno() != Errno.EDQUOT) {
            throw e;
        }
    }

    /** The names xdevfs keeps its file ids in are no one else's to set or remove. */
    /** listxattr(2) or flistxattr(2) into the buffer given, or its size with an empty one. */
    interface Lister {
        int list(ByteBuffer names) throws PosixException;
    }

    /**
     * A file's attribute names without xdevfs's own: read whole, filtered, then sized or copied for
     * the caller ({@code names} empty: only the length), ERANGE where they do not fit.
     */
    static int listWithoutOurs(ByteBuffer names, Lister lister, String what) throws PosixException {
        ByteBuffer all = ByteBuffer.allocateDirect(Math.max(1, lister.list(ByteBuffer.allocateDirect(0))));
        int length = hide(all, lister.list(all));
        if (names.capacity() == 0) {
            return length;
        }
        if (length > names.remaining()) {
            throw new PosixException(Errno.ERANGE, "listxattr", what);
        }
        names.duplicate().put(all.limit(length));
        return length;
    }

    /** The names of {@code list} (a listxattr result of {@code length} bytes) without xdevfs's own, compacted; the new length. */
    static int hide(ByteBuffer list, int length) {
        byte[] all = new byte[length];
        list.duplicate().get(all);
        byte[] ours = PREFIX.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int out = 0;
        for (int at = 0; at < length; ) {
            int end = at;
            while (end < length && all[end] != 0) {
                end++;
            }
            int n = Math.min(length, end + 1) - at;
            if (n < ours.length || !java.util.Arrays.equals(all, at, at + ours.length, ours, 0, ours.length)) {
                list.put(list.position() + out, all, at, n);
                out += n;
            }
            at += n;
        }
        return out;
    }

    void close() throws PosixException {
        if (counter != null) {
            counter.detach(dirFd);
        }
        posix.close(dirFd);
    }
}
