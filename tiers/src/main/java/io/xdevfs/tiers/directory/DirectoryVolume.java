package io.xdevfs.tiers.directory;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.DirectoryLock;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Permissions;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A volume over a base directory: every path maps to the same path below it, and every file's bytes
 * to a backing file, in the {@link ContentFormat} of the storage type: raw (regular, tmpfs), with zero
 * blocks as holes (sparse), through O_DIRECT (direct), through shared mappings (mmap) or compressed.
 *
 * <p>All calls go through {@link BaseDirectory#locate} so that nothing outside the base directory is
 * touched. New files, directories, symlinks and nodes are given to the caller ({@link Owner}) when the
 * daemon runs as root, as a kernel filesystem would; without root they stay the daemon's.
 * Thread-safe; the shared state is the {@link OpenFiles} table of open files and the {@link DescriptorCache}
 * of their backing descriptors.
 */
public final class DirectoryVolume implements Volume {
    private static final int STRIPPED_OPEN_FLAGS = Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOCTTY | Flags.O_DIRECT;

    private final Posix posix;
    private final BaseDirectory base;
    private final LocalConfig config;
    private final boolean giveToCaller;
    private final DescriptorCache descriptors;
    private final ContentFormat format;
    private final FileIds ids;
    private final OpenFiles openFiles = new OpenFiles(state -> format().closeState(state));
    /** Makes this volume the base directory's only user; released at close. */
    private final DirectoryLock owner;

    /** {@code sharedIds}: the file-id counter shared with the other tiers of a composed volume, or null for one of its own. */
    public DirectoryVolume(Posix posix, int baseFd, LocalConfig config, DirectoryLock owner, IdCounter sharedIds)
            throws IOException {
        this.owner = owner;
        this.posix = posix;
        this.base = new BaseDirectory(posix, baseFd);
        this.config = config;
        this.giveToCaller = posix.geteuid() == 0;
        this.ids = FileIds.open(posix, baseFd, sharedIds);
        this.descriptors = new DescriptorCache(posix, baseFd, config.maxOpenFiles(), this.ids, openFiles);
        this.format = config.storageType().format(posix, baseFd, config);
    }

    /** What compression achieved on this volume; empty unless {@code storage_type = compressed}. */
    public java.util.Optional<io.xdevfs.codecs.CompressionStats> compressionStats() {
        return format.compressionStats();
    }

    /** Backing descriptors open now (at most max_open_files while some can be parked). */
    public int openFiles() {
        return descriptors.openDescriptors();
    }

    @Override
    public Stat getattr(String path) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            Stat st = posix.lstatAt(at.dir, at.name);
            st.ino = ids.of(at.procPath(), st);
            format.toLogical(st, openFiles.peek(st.ino), () -> new DescriptorFile.Own(posix, openForStat(at), st.ino, Preallocation.NONE));
            return st;
        }
    }

    /** A read descriptor for looking inside a file on stat, without touching its atime where allowed. */
    private int openForStat(BaseDirectory.Located at) throws PosixException {
        try {
            return posix.openat(at.dir, at.name, Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_NOATIME, 0);
        } catch (PosixException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            return posix.openat(at.dir, at.name, Flags.O_RDONLY | Flags.O_NOFOLLOW, 0); // not the owner, not root
        }
    }

    @Override
    public List<DirEntry> readdir(String path) throws IOException {
        List<DirEntry> entries = new java.util.ArrayList<>();
        readdir(path, entries::add);
        return entries;
    }

    @Override
    public void readdir(String path, java.util.function.Predicate<DirEntry> each) throws IOException {
        boolean root = path.equals("/");
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.listDirectory(at.dir, at.name, e -> (root && BaseDirectory.isReserved("/" + e.name())) || each.test(e));
        }
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        BaseDirectory.requireFree(path);
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.mkdirat(at.dir, at.name, mode & config.dirPermissions());
            ids.assignAt(at.procPath());
            giveTo(at, owner, 0); // a directory keeps its set-ID bits through a chown
        }
    }

    @Override
    public void rmdir(String path) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.unlinkat(at.dir, at.name, true);
        }
        namesChanged(path);
    }

    @Override
    public void unlink(String path) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            descriptors.pinBeforeRemoving(at.dir, at.name);
            posix.unlinkat(at.dir, at.name, false);
        }
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        BaseDirectory.requireFree(path);
        descriptors.reserveRoom();
        int fd;
        int backing;
        long id = -1;
        try (BaseDirectory.Located at = base.locate(path)) {
            backing = backingFlags(flags) | Flags.O_NOFOLLOW;
            boolean created = true;
            try {
                int creating = readableIfPlain(backing);
                fd = posix.openat(at.dir, at.name, creating | Flags.O_CREAT | Flags.O_EXCL, mode & config.filePermissions());
                backing = creating;
            } catch (PosixException e) {
                // Someone created it since the kernel's lookup: plain O_CREAT opens it, and it keeps its owner.
                if (e.errno() != Errno.EEXIST || (flags & Flags.O_EXCL) != 0) {
                    throw e;
                }
                fd = posix.openat(at.dir, at.name, backing, 0);
                created = false;
            }
            if (created) {
                try {
                    id = ids.assign(fd);
                    giveTo(at, owner, mode & config.filePermissions());
                    preallocateNew(fd);
                } catch (IOException | RuntimeException e) {
                    posix.close(fd);
                    throw e;
                }
            }
        }
        return content(fd, backing, flags, id);
    }

    /**
     * A new plain file is opened read-write even for a write-only create: the descriptor then serves the
     * kernel's passthrough as it is (a copy, where a write-only one needs a second open through
     * /proc/self/fd) and any later open of the file from the descriptor cache. Creating a file grants
     * the access asked whatever its new mode, so read-write cannot fail where write-only would not.
     */
    private int readableIfPlain(int backing) {
        return format == ContentFormat.RAW && (backing & Flags.O_ACCMODE) == Flags.O_WRONLY
                ? (backing & ~Flags.O_ACCMODE) | Flags.O_RDWR : backing;
    }

    /**
     * Takes over {@code fd} (opened with {@code backing}): on failure it is closed. {@code id}: the id
     * just given to the file, -1 to read it.
     */
    private Content content(int fd, int backing, int flags, long id) throws IOException {
        OpenFiles.Entry open;
        DescriptorCache.Descriptor d;
        Stat st;
        try {
            st = posix.fstat(fd);
            open = openFiles.acquire(id > 0 ? ids.assigned(st, id) : ids.of(fd, st));
            try {
                d = descriptors.register(fd, st, backing, open);
            } catch (IOException | RuntimeException e) {
                open.release();
                throw e;
            }
        } catch (PosixException e) {
            posix.close(fd); // register closes it itself only when it refuses it (ENFILE)
            throw e;
        }
        try {
            // A format that reads or writes its file while wrapping it must not see the open's attributes.
            Stat opened = format == ContentFormat.RAW ? st : null;
            Content c = format.wrap(new DescriptorFile.Held(posix, descriptors, d, config.preallocation(), opened), open, flags);
            return new HeldContent(c, descriptors, d, open);
        } catch (IOException | RuntimeException e) {
            try {
                open.release();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            descriptors.release(d);
        }
    }

    /** default_file_size for a new file; advisory like every preallocation (see DescriptorFile#reserve). */
    private void preallocateNew(int fd) throws PosixException {
        long bytes = config.preallocation().initialBytes();
        if (bytes == 0) {
            return;
        }
        try {
            posix.fallocate(fd, Flags.FALLOC_FL_KEEP_SIZE, 0, bytes);
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOSPC && e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
        }
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        int fd;
        int backing;
        try (BaseDirectory.Located at = base.locate(path)) {
            backing = backingFlags(flags) | Flags.O_NOFOLLOW;
            try {
                fd = posix.openat(at.dir, at.name, backing, 0);
            } catch (PosixException e) {
                if (e.errno() != Errno.EPERM || (backing & Flags.O_NOATIME) == 0) {
                    throw e;
                }
                backing &= ~Flags.O_NOATIME; // O_NOATIME: owner or root only
                fd = posix.openat(at.dir, at.name, backing, 0);
            }
        }
        return content(fd, backing, flags, -1);
    }

    /**
     * O_DIRECT is not passed on: the FUSE request buffer is not block-aligned, and the kernel already
     * bypasses its FUSE page cache for such a handle. O_CREAT/O_EXCL are handled by {@link #create}.
     */
    private int backingFlags(int flags) {
        int backing = flags & ~STRIPPED_OPEN_FLAGS;
        if (config.useSyncWrites()) {
            backing |= Flags.O_DSYNC;
        }
        return format.backingFlags(backing);
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        if (format == ContentFormat.RAW) {
            withDescriptor(path, Flags.O_WRONLY | Flags.O_NOFOLLOW, fd -> posix.ftruncate(fd, size));
            return;
        }
        try (Content content = open(path, Flags.O_WRONLY)) { // the format decides what a size means
            content.truncate(size);
        }
    }

    @FunctionalInterface
    private interface DescriptorAction {
        void apply(int fd) throws IOException;
    }

    /** Opens {@code path} (never following a final symlink), applies {@code action}, closes. */
    private void withDescriptor(String path, int flags, DescriptorAction action) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            int fd = posix.openat(at.dir, at.name, flags, 0);
            try {
                action.apply(fd);
            } finally {
                posix.close(fd);
            }
        }
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        BaseDirectory.requireFree(to);
        try (BaseDirectory.Located src = base.locate(from); BaseDirectory.Located dst = base.locate(to)) {
            if ((flags & Flags.RENAME_EXCHANGE) == 0) {
                descriptors.pinBeforeRemoving(dst.dir, dst.name); // a file renamed over loses its name
            }
            posix.renameat2(src.dir, src.name, dst.dir, dst.name, flags);
        }
        namesChanged(from);
        namesChanged(to); // a directory renamed over, or exchanged
    }

    /**
     * After a rename or rmdir (not before: a call in between would cache the old meaning again), what
     * is cached by name or by directory inode number forgets {@code path}.
     */
    private void namesChanged(String path) throws PosixException {
        base.renamedOrRemoved(path);
        ids.directoriesChanged();
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        BaseDirectory.requireFree(path);
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.symlinkat(target, at.dir, at.name);
            giveTo(at, owner, 0);
        }
    }

    @Override
    public String readlink(String path) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            return posix.readlinkat(at.dir, at.name);
        }
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        BaseDirectory.requireFree(newPath);
        try (BaseDirectory.Located src = base.locate(existing); BaseDirectory.Located dst = base.locate(newPath)) {
            posix.linkat(src.dir, src.name, dst.dir, dst.name);
        }
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.fchmodat(at.dir, at.name, mode & 07777);
        }
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.lchownat(at.dir, at.name, uid, gid);
        }
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            ContentFormat.TimesChange set = () -> posix.lutimensat(at.dir, at.name, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            OpenFiles.Entry open = format == ContentFormat.RAW ? null : openEntry(at);
            if (open == null) {
                set.run();
            } else {
                format.changingTimes(open, set);
            }
        }
    }

    /** The open-file entry of the regular file at {@code at}, null when it is not open (or not a regular file). */
    private OpenFiles.Entry openEntry(BaseDirectory.Located at) throws PosixException {
        Stat st = posix.lstatAt(at.dir, at.name);
        return st.isRegularFile() ? openFiles.peek(ids.of(at.procPath(), st)) : null;
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        BaseDirectory.requireFree(path);
        // Device nodes (and overlayfs whiteouts, char 0:0) are created as asked: the kernel forwards such a
        // mknod only for a caller with CAP_MKNOD, and the daemon never opens them itself (an open of one
        // on the mount goes to its driver, and only on a mount with -o dev; xdevfs mounts nodev).
        int type = mode & Flags.S_IFMT;
        if (type == 0) {
            type = Flags.S_IFREG;
        }
        long dev = type == Flags.S_IFCHR || type == Flags.S_IFBLK ? rdev : 0;
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.mknodat(at.dir, at.name, type | (mode & config.filePermissions()), dev);
            if (type == Flags.S_IFREG) {
                ids.assignAt(at.procPath());
            }
            giveTo(at, owner, mode & config.filePermissions());
        }
    }

    @Override
    public FsStat statfs() throws IOException {
        return posix.fstatvfs(base.fd());
    }

    @Override
    public void syncDirectory(String path) throws IOException {
        withDescriptor(path, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW, fd -> posix.fsync(fd, false));
    }

    @Override
    public void access(String path, int mask, Owner caller) throws IOException {
        Stat st = getattr(path);
        if (!Permissions.allows(st, mask, caller)) {
            throw new PosixException(Errno.EACCES, "access", path);
        }
    }

    @Override
    public int getxattr(String path, String name, ByteBuffer value) throws IOException {
        if (ReservedAttributes.isReserved(name)) {
            throw new PosixException(Errno.ENODATA, "getxattr", name);
        }
        try (BaseDirectory.Located at = base.locate(path)) {
            return posix.lgetxattr(at.procPath(), name, value);
        }
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        ReservedAttributes.requireNotReserved(name);
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.lsetxattr(at.procPath(), name, value, flags);
        }
    }

    @Override
    public int listxattr(String path, ByteBuffer names) throws IOException {
        try (BaseDirectory.Located at = base.locate(path)) {
            String p = at.procPath();
            return FileIds.listWithoutOurs(names, all -> posix.llistxattr(p, all), path);
        }
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        ReservedAttributes.requireNotReserved(name);
        try (BaseDirectory.Located at = base.locate(path)) {
            posix.lremovexattr(at.procPath(), name);
        }
    }

    @Override
    public void registerGauges(Metrics metrics) {
        metrics.gauge("open_files", descriptors::openDescriptors);
        metrics.gauge("open_inodes", openFiles::size);
        metrics.gauge("descriptors_parked_total", descriptors::parkedTotal);
        metrics.gauge("descriptors_reopened_total", descriptors::reopenedTotal);
        format.registerGauges(metrics);
    }

    /** An unnamed O_TMPFILE in the base directory: written, synced, gone at close; never in a listing. */
    @Override
    public void checkWritable() throws IOException {
        int fd = posix.openat(base.fd(), ".", Flags.O_TMPFILE | Flags.O_WRONLY, 0600);
        try {
            ByteBuffer probe = ByteBuffer.allocateDirect(1).put((byte) 1).flip();
            posix.pwrite(fd, probe, 0);
            posix.fsync(fd, true);
        } finally {
            posix.close(fd);
        }
    }

    /**
     * Caller holds {@code at} open. In a set-group-ID directory the group is inherited, not the caller's.
     * The chown clears a file's set-user-ID and set-group-ID bits, so a file created with them ({@code
     * mode}: what it was created with; the kernel already dropped a set-group-ID its creator may not
     * give) gets them back, as a create on a local filesystem keeps them, on top of the permissions it
     * has (which an inherited default ACL may have narrowed).
     */
    private void giveTo(BaseDirectory.Located at, Owner owner, int mode) throws PosixException {
        if (!giveToCaller || owner == null || (owner.uid() == 0 && owner.gid() == 0)) {
            return;
        }
        boolean inheritGroup = (posix.lstatAt(at.dir, ".").mode & Flags.S_ISGID) != 0;
        posix.lchownat(at.dir, at.name, owner.uid(), inheritGroup ? -1 : owner.gid());
        int setId = mode & (Flags.S_ISUID | Flags.S_ISGID);
        if (setId != 0) {
            posix.fchmodat(at.dir, at.name, (posix.lstatAt(at.dir, at.name).mode & 07777) | setId);
        }
    }

    /** The entry of the open file with id {@code id} (its inode number on the mount), or null. */
    public OpenFiles.Entry openFile(long id) {
        return openFiles.peek(id);
    }

    private ContentFormat format() {
        return format;
    }

    /** For tests: waits until the background work queued so far (compaction of closed files) is done. */
    public void awaitBackgroundWork() throws InterruptedException {
        format.drain();
    }

    /** For tests that simulate a crash in-process: lets another volume own the base directory, as death would. */
    public void abandon() {
        owner.closeQuietly();
    }

    @Override
    public void close() throws IOException {
        try {
            format.close();
            descriptors.close();
            ids.close();
            base.close();
        } finally {
            owner.closeQuietly();
        }
    }
}
