package io.xdevfs.tiers.block;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.SetIdBits;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.VolumeException;
import io.xdevfs.tiers.XattrReplies;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code storage_type = block}: files on a raw block device in xdevfs's own layout ({@link Geometry}),
 * with no kernel filesystem in between. Names and attributes live in memory ({@link MetaState}) and on
 * the device as checkpoint plus journal ({@link MetaStore}); bytes in allocation units, each 4 KiB block
 * with its CRC32C ({@link FileBytes}). The files' bytes are stored as they are, or in a format over them
 * ({@link BlockSettings#files}: compressed, sparse), which the superblock records at the first mount.
 */
public final class BlockVolume implements Volume {
    private static final int NAME_MAX = 255;

    final MetaStore store;
    final MetaState state;
    final Geometry geometry;
    private final Discards discards;
    private final FileBytes bytes;

    private final LocalConfig config;
    private final java.util.concurrent.atomic.AtomicInteger openHandles = new java.util.concurrent.atomic.AtomicInteger();
    /** How files store their bytes in their {@link BlockContent}; {@link ContentFormat#RAW} for the device's own. */
    private final ContentFormat format;
    /** What the format's handles of one file share; unused by the raw format. */
    private final OpenFiles openFiles;

    private BlockVolume(MetaStore store, Discards discards, LocalConfig config, ContentFormat format) {
        this.config = config;
        this.format = format;
        this.openFiles = new OpenFiles(format::closeState);
        this.store = store;
        this.state = store.state;
        this.geometry = store.superblock().geometry();
        this.discards = discards;
        this.bytes = new FileBytes(this);
    }

    /**
     * Mounts the device of {@code config.block()}: exclusive open, newest superblock, checkpoint, journal
     * replay, then a new checkpoint. {@code allowFile}: a regular file may stand in for the device (tests).
     */
    public static BlockVolume open(Posix posix, LocalConfig config, boolean allowFile) throws VolumeException {
        BlockSettings settings = config.block();
        String where = "block_device " + settings.device();
        Device device;
        try {
            device = Device.open(posix, settings.device(), settings.rawDevice(), settings.queueDepth(), allowFile);
        } catch (PosixException e) {
            throw new VolumeException(where + ": " + DeviceProblems.describe(e.errno()));
        }
        try {
            Discards discards = settings.trim() ? new Discards(device) : null;
            MetaStore store = MetaStore.load(device, discards, new MetaStore.Replay());
            Geometry g = store.superblock().geometry();
            if (discards != null) {
                discards.geometry(g);
            }
            if (settings.sectorSize() != 0 && settings.sectorSize() != g.sectorSize()) {
                throw new VolumeException(where + ": sector_size = " + settings.sectorSize() + " but the device was "
                        + "formatted with " + g.sectorSize() + " (remove sector_size, or format again)");
            }
            if (g.sectorSize() < device.logicalSector()) {
                throw new VolumeException(where + ": formatted with " + g.sectorSize() + "-byte sectors, smaller than "
                        + "the device's logical block size " + device.logicalSector());
            }
            adoptFileFormat(store, settings, where);
            BlockVolume volume = new BlockVolume(store, discards, config, settings.files().format(posix, -1, config));
            volume.removeOrphans();
            volume.bytes.settleAfterReplay();
            store.checkpoint(); // a new epoch: nothing after the replayed end can ever be read as journal
            store.state.goLive();
            return volume;
        } catch (VolumeException e) {
            closeQuietly(device);
            throw e;
        } catch (IOException e) {
            closeQuietly(device);
            throw new VolumeException(where + ": " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(device);
            throw new VolumeException(where + ": cannot load the volume: " + e);
        }
    }

    /**
     * The files of a volume are all stored one way: the superblock records it at the first mount (a
     * volume of layout 1 that holds files holds them raw), and a mount that would read them another way is
     * refused before anything is written.
     */
    private static void adoptFileFormat(MetaStore store, BlockSettings settings, String where) throws VolumeException {
        String wanted = settings.files().onDiskFormat();
        String recorded = store.superblock().files();
        if (recorded.isEmpty()) {
            boolean holdsFiles = store.state.inodes.values().stream().anyMatch(Inode::isRegular);
            recorded = holdsFiles ? io.xdevfs.tiers.StorageType.REGULAR.onDiskFormat() : wanted;
            store.recordFiles(recorded);
        }
        if (!recorded.equals(wanted)) {
            throw new VolumeException(where + " holds " + recorded + " files, and this configuration would read them as "
                    + wanted + (recorded.equals("compressed") ? " (set enable_compression = true, as when they were written)"
                    : " (remove enable_compression, or format another device)"));
        }
    }

    private static void closeQuietly(Device device) {
        try {
            device.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** Files that lost their last name while open when the daemon stopped: nobody can open them again. */
    private void removeOrphans() {
        List<Long> orphans = state.inodes.values().stream().filter(f -> f.nlink == 0).map(f -> f.id).toList();
        orphans.forEach(id -> state.apply(new Change.Delete(id)));
    }

    // ---- the operation frame -------------------------------------------------------------------

    interface Op<T> {
        T run() throws IOException;
    }

    /**
     * Runs a metadata operation under the gate's read lock and the state monitor. When the journal is
     * full, nothing was changed: a checkpoint empties it and the operation runs again.
     */
    <T> T change(Op<T> op) throws IOException {
        while (true) {
            store.gate.readLock().lock();
            try {
                synchronized (state) {
                    return op.run();
                }
            } catch (MetaStore.JournalFull full) {
                // below
            } finally {
                store.gate.readLock().unlock();
                checkpointIfDue();
            }
            store.checkpoint();
        }
    }

    void checkpointIfDue() {
        if (store.wantsCheckpoint() && !store.gate.isWriteLockedByCurrentThread()
                && store.gate.getReadHoldCount() == 0) {
            try {
                store.checkpoint();
            } catch (IOException e) {
                // the next commit finds the journal full and reports the checkpoint's failure to its caller
            }
        }
    }

    <T> T read(Op<T> op) throws IOException {
        synchronized (state) {
            return op.run();
        }
    }

    private void commit(Change... changes) throws IOException {
        store.commit(List.of(changes));
    }

    static long[] now() {
        Instant t = Instant.now();
        return new long[] {t.getEpochSecond(), t.getNano()};
    }

    // ---- names ---------------------------------------------------------------------------------

    Inode lookup(String path) throws PosixException {
        Inode at = state.inode(MetaState.ROOT);
        if (path.equals("/")) {
            return at;
        }
        for (String name : path.substring(1).split("/", -1)) {
            if (!at.isDirectory()) {
                throw new PosixException(Errno.ENOTDIR, "lookup", path);
            }
            Long child = at.children.get(name);
            if (child == null) {
                throw new PosixException(Errno.ENOENT, "lookup", path);
            }
            at = state.inode(child);
        }
        return at;
    }

    private Inode parentOf(String path) throws PosixException {
        if (path.equals("/")) {
            throw new PosixException(Errno.EBUSY, "the root has no parent", path);
        }
        Inode parent = lookup(path.substring(0, Math.max(1, path.lastIndexOf('/'))));
        if (!parent.isDirectory()) {
            throw new PosixException(Errno.ENOTDIR, "lookup", path);
        }
        return parent;
    }

    private static String leaf(String path) throws PosixException {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (Names.bytes(name).length > NAME_MAX) {
            throw new PosixException(Errno.ENAMETOOLONG, "name", path);
        }
        return name;
    }

    /** {@code f}'s attributes after {@code edit}, as a change (the inode itself is untouched until applied). */
    static Change.Attributes edited(Inode f, Consumer<Inode> edit) {
        Inode copy = new Inode(f.id);
        copy.assign(f.attributes());
        edit.accept(copy);
        return copy.attributes();
    }

    /** {@code f}'s attributes after {@code edit}, with its contents changed at {@code t} (mtime and ctime). */
    static Change.Attributes modified(Inode f, long[] t, Consumer<Inode> edit) {
        return edited(f, c -> {
            edit.accept(c);
            c.mtimeSec = c.ctimeSec = t[0];
            c.mtimeNsec = c.ctimeNsec = t[1];
        });
    }

    private static Change.Attributes withNewEntry(Inode dir, long[] t, int nlinkDelta) {
        return modified(dir, t, d -> d.nlink += nlinkDelta);
    }

    private static Change.Attributes changed(Inode f, long[] t, Consumer<Inode> edit) {
        return edited(f, c -> {
            edit.accept(c);
            c.ctimeSec = t[0];
            c.ctimeNsec = t[1];
        });
    }

    private Change.Attributes newInode(long id, int mode, Owner owner, Inode parent, long nlink, String target, long rdev,
                                       long[] t) {
        if (owner == null) { // the daemon's own files
            owner = new Owner(store.device.posix.geteuid(), state.inode(MetaState.ROOT).gid);
        }
        int gid = owner.gid();
        if ((parent.mode & Flags.S_ISGID) != 0) {
            gid = parent.gid;
            if ((mode & Flags.S_IFMT) == Flags.S_IFDIR) {
                mode |= Flags.S_ISGID;
            }
        }
        return new Change.Attributes(id, mode, owner.uid(), gid, nlink, Names.bytes(target).length, rdev, t[0], t[1],
                t[0], t[1], t[0], t[1], target);
    }

    Stat stat(Inode f) {
        Stat s = new Stat();
        s.ino = f.id;
        s.mode = f.mode;
        s.nlink = f.nlink;
        s.uid = f.uid;
        s.gid = f.gid;
        s.rdev = f.rdev;
        s.size = f.size;
        s.blksize = Geometry.BLOCK;
        s.blocks = f.mappedUnits() * (geometry.unitSize() / 512);
        s.atimeSec = f.atimeSec;
        s.atimeNsec = f.atimeNsec;
        s.mtimeSec = f.mtimeSec;
        s.mtimeNsec = f.mtimeNsec;
        s.ctimeSec = f.ctimeSec;
        s.ctimeNsec = f.ctimeNsec;
        return s;
    }

    @Override
    public Stat getattr(String path) throws IOException {
        Stat st = read(() -> stat(lookup(path)));
        if (format != ContentFormat.RAW && st.isRegularFile()) {
            // Outside the state's monitor: a format may read the file to learn its size.
            format.toLogical(st, openFiles.peek(st.ino), () -> rawHandle(st.ino));
        }
        return st;
    }

    @Override
    public List<DirEntry> readdir(String path) throws IOException {
        return read(() -> {
            Inode dir = lookup(path);
            if (!dir.isDirectory()) {
                throw new PosixException(Errno.ENOTDIR, "readdir", path);
            }
            List<DirEntry> out = new ArrayList<>(dir.children.size());
            dir.children.forEach((name, id) -> out.add(new DirEntry(name, id, (state.inode(id).mode & Flags.S_IFMT) >> 12)));
            return out;
        });
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        change(() -> addNode(path, Flags.S_IFDIR | (mode & 07777 & config.dirPermissions()), owner, "", 0));
    }

    /**
     * A new inode under a new name: a directory (two links, one more for its parent) or anything else (one
     * link); under {@link #change}. Returns the inode.
     */
    private Inode addNode(String path, int mode, Owner owner, String target, long rdev) throws IOException {
        Inode parent = parentOf(path);
        String name = leaf(path);
        requireAbsent(parent, name, path);
        long[] t = now();
        long id = state.newId();
        boolean directory = (mode & Flags.S_IFMT) == Flags.S_IFDIR;
        byte[] defaultAcl = (mode & Flags.S_IFMT) == Flags.S_IFLNK ? null : parent.xattrs.get(AccessAcl.DEFAULT);
        AccessAcl.Inherited inherited = defaultAcl == null ? null : AccessAcl.inherit(defaultAcl, mode);
        List<Change> acls = new ArrayList<>(2);
        if (inherited != null) {
            mode = inherited.mode();
            if (inherited.accessAcl() != null) {
                acls.add(new Change.Xattr(id, AccessAcl.NAME, inherited.accessAcl()));
            }
            if (directory) {
                acls.add(new Change.Xattr(id, AccessAcl.DEFAULT, defaultAcl));
            }
        }
        List<Change> changes = new ArrayList<>();
        changes.add(newInode(id, mode, owner, parent, directory ? 2 : 1, target, rdev, t));
        changes.addAll(acls);
        changes.add(new Change.Entry(parent.id, name, id));
        changes.add(withNewEntry(parent, t, directory ? 1 : 0));
        store.commit(changes);
        return state.inode(id);
    }

    private static void requireAbsent(Inode parent, String name, String path) throws PosixException {
        if (parent.children.containsKey(name)) {
            throw new PosixException(Errno.EEXIST, "create", path);
        }
    }

    @Override
    public void rmdir(String path) throws IOException {
        change(() -> {
            Inode parent = parentOf(path);
            Inode dir = lookup(path);
            if (!dir.isDirectory()) {
                throw new PosixException(Errno.ENOTDIR, "rmdir", path);
            }
            if (!dir.children.isEmpty()) {
                throw new PosixException(Errno.ENOTEMPTY, "rmdir", path);
            }
            long[] t = now();
            commit(new Change.Entry(parent.id, leaf(path), 0), new Change.Delete(dir.id), withNewEntry(parent, t, -1));
            return null;
        });
    }

    @Override
    public void unlink(String path) throws IOException {
        change(() -> {
            Inode parent = parentOf(path);
            Inode f = lookup(path);
            if (f.isDirectory()) {
                throw new PosixException(Errno.EISDIR, "unlink", path);
            }
            long[] t = now();
            commit(new Change.Entry(parent.id, leaf(path), 0), dropLink(f, t), withNewEntry(parent, t, 0));
            return null;
        });
    }

    /** One name fewer: the inode goes with its last name unless a handle still has it open. */
    private Change dropLink(Inode f, long[] t) {
        return f.nlink <= 1 && f.opens == 0 ? new Change.Delete(f.id) : changed(f, t, c -> c.nlink--);
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        Inode f = change(() -> {
            Inode parent = parentOf(path);
            String name = leaf(path);
            Long existing = parent.children.get(name);
            if (existing != null) {
                if ((flags & Flags.O_EXCL) != 0) {
                    throw new PosixException(Errno.EEXIST, "create", path);
                }
                return opened(state.inode(existing), flags, path);
            }
            Inode created = addNode(path, Flags.S_IFREG | (mode & 07777 & config.filePermissions()), owner, "", 0);
            created.opens++;
            return created;
        });
        return contentOf(f, flags);
    }

    private Inode opened(Inode f, int flags, String path) throws PosixException {
        if (f.isDirectory() && (flags & Flags.O_ACCMODE) != Flags.O_RDONLY) {
            throw new PosixException(Errno.EISDIR, "open", path);
        }
        f.opens++;
        return f;
    }

    private Content contentOf(Inode f, int flags) throws IOException {
        if (openHandles.incrementAndGet() > config.maxOpenFiles()) {
            openHandles.decrementAndGet();
            closed(f);
            throw new PosixException(Errno.ENFILE, "max_open_files = " + config.maxOpenFiles() + " reached", null);
        }
        int backing = f.isRegular() ? format.backingFlags(flags) : flags; // a format takes O_APPEND, O_TRUNC if it must
        BlockContent content = new BlockContent(this, bytes, f, (backing & Flags.O_APPEND) != 0,
                config.useSyncWrites() || (flags & Flags.O_DSYNC) != 0);
        if ((backing & Flags.O_TRUNC) != 0 && f.isRegular() && (flags & Flags.O_ACCMODE) != Flags.O_RDONLY) {
            try {
                content.truncate(0);
            } catch (IOException e) {
                content.close();
                throw e;
            }
        }
        return format == ContentFormat.RAW || !f.isRegular() ? content : formatted(content, flags);
    }

    /** {@code content} in the volume's format; the format closes it if it cannot take it. */
    private Content formatted(BlockContent content, int flags) throws IOException {
        OpenFiles.Entry open = openFiles.acquire(content.id());
        try {
            return new FormattedContent(format.wrap(content, open, flags), open);
        } catch (IOException | RuntimeException e) {
            try {
                open.release();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A second raw handle of {@code f}, which one of its handles holds open ({@link BlockContent#duplicate}). */
    BlockContent reopened(Inode f) throws IOException {
        return rawHandle(f.id);
    }

    /**
     * A raw handle of the file {@code id} for the volume's own work (a format's look inside on stat, its
     * background finishing), outside max_open_files; ENOENT once the file is gone.
     */
    private BlockContent rawHandle(long id) throws IOException {
        Inode f = change(() -> {
            Inode found = state.inode(id);
            if (found == null) {
                throw new PosixException(Errno.ENOENT, "open", null);
            }
            found.opens++;
            return found;
        });
        openHandles.incrementAndGet();
        return new BlockContent(this, bytes, f, false, config.useSyncWrites());
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        Inode f = change(() -> opened(lookup(path), flags, path));
        return contentOf(f, flags);
    }

    /** The last handle of {@code f} closed: journal the times its writes set; a file without names goes. */
    void released(Inode f) throws IOException {
        openHandles.decrementAndGet();
        closed(f);
    }

    private void closed(Inode f) throws IOException {
        change(() -> {
            f.opens--;
            if (state.inode(f.id) != f) {
                return null;
            }
            if (f.nlink == 0 && f.opens == 0) {
                commit(new Change.Delete(f.id));
            } else if (f.timesDirty) {
                commit(f.attributes());
            }
            return null;
        });
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        try (Content c = open(path, Flags.O_WRONLY)) {
            c.truncate(size);
        }
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        if (flags == Flags.RENAME_EXCHANGE) {
            exchange(from, to);
            return;
        }
        if ((flags & ~Flags.RENAME_NOREPLACE) != 0) {
            throw new PosixException(Errno.EINVAL, "rename flags " + flags, from);
        }
        change(() -> {
            Inode fromParent = parentOf(from);
            Inode toParent = parentOf(to);
            String fromName = leaf(from);
            String toName = leaf(to);
            Inode f = lookup(from);
            Long replacedId = toParent.children.get(toName);
            if (replacedId != null && (flags & Flags.RENAME_NOREPLACE) != 0) {
                throw new PosixException(Errno.EEXIST, "rename", to);
            }
            if (replacedId != null && replacedId == f.id) {
                return null; // two names of one file, or the same name: nothing to do
            }
            if (f.isDirectory() && (to + "/").startsWith(from + "/")) {
                throw new PosixException(Errno.EINVAL, "rename a directory into itself", to);
            }
            long[] t = now();
            List<Change> changes = new ArrayList<>();
            int toParentLinks = 0;
            if (replacedId != null) {
                Inode replaced = state.inode(replacedId);
                if (f.isDirectory() && !replaced.isDirectory()) {
                    throw new PosixException(Errno.ENOTDIR, "rename", to);
                }
                if (!f.isDirectory() && replaced.isDirectory()) {
                    throw new PosixException(Errno.EISDIR, "rename", to);
                }
                if (replaced.isDirectory()) {
                    if (!replaced.children.isEmpty()) {
                        throw new PosixException(Errno.ENOTEMPTY, "rename", to);
                    }
                    changes.add(new Change.Delete(replaced.id));
                    toParentLinks--;
                } else {
                    changes.add(dropLink(replaced, t));
                }
            }
            changes.add(new Change.Entry(fromParent.id, fromName, 0));
            changes.add(new Change.Entry(toParent.id, toName, f.id));
            changes.add(changed(f, t, c -> { }));
            if (f.isDirectory() && fromParent != toParent) {
                toParentLinks++;
                changes.add(withNewEntry(fromParent, t, -1));
            } else if (fromParent != toParent) {
                changes.add(withNewEntry(fromParent, t, 0));
            }
            changes.add(withNewEntry(toParent, t, toParentLinks));
            store.commit(changes);
            return null;
        });
    }

    /**
     * Whether {@code dir} has a default ACL, which what is made in it inherits ({@link #addNode}), as
     * on ext4: the umask does not apply then.
     */
    @Override
    public boolean inheritsDefaultAcl(String dir) throws IOException {
        return read(() -> lookup(dir).xattrs.containsKey(AccessAcl.DEFAULT));
    }

    /**
     * renameat2(RENAME_EXCHANGE): each name takes the other's file, in one commit. A directory that
     * changes parent moves its ".." link with it, so each parent's link count follows the directories
     * it holds afterwards.
     */
    private void exchange(String from, String to) throws IOException {
        change(() -> {
            Inode fromParent = parentOf(from);
            Inode toParent = parentOf(to);
            Inode f = lookup(from);
            Inode g = lookup(to);
            if (f.id == g.id) {
                return null; // two names of one file
            }
            if ((f.isDirectory() && (to + "/").startsWith(from + "/")) || (g.isDirectory() && (from + "/").startsWith(to + "/"))) {
                throw new PosixException(Errno.EINVAL, "exchange a directory with a name inside it", to);
            }
            long[] t = now();
            List<Change> changes = new ArrayList<>();
            changes.add(new Change.Entry(fromParent.id, leaf(from), g.id));
            changes.add(new Change.Entry(toParent.id, leaf(to), f.id));
            changes.add(changed(f, t, c -> { }));
            changes.add(changed(g, t, c -> { }));
            if (fromParent != toParent) {
                int moved = (g.isDirectory() ? 1 : 0) - (f.isDirectory() ? 1 : 0); // directories fromParent gains
                changes.add(withNewEntry(fromParent, t, moved));
                changes.add(withNewEntry(toParent, t, -moved));
            } else {
                changes.add(withNewEntry(fromParent, t, 0));
            }
            store.commit(changes);
            return null;
        });
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        change(() -> addNode(path, Flags.S_IFLNK | 0777, owner, target, 0));
    }

    @Override
    public String readlink(String path) throws IOException {
        return read(() -> {
            Inode f = lookup(path);
            if ((f.mode & Flags.S_IFMT) != Flags.S_IFLNK) {
                throw new PosixException(Errno.EINVAL, "readlink", path);
            }
            return f.target;
        });
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        change(() -> {
            Inode f = lookup(existing);
            if (f.isDirectory()) {
                throw new PosixException(Errno.EPERM, "link a directory", existing);
            }
            Inode parent = parentOf(newPath);
            String name = leaf(newPath);
            requireAbsent(parent, name, newPath);
            long[] t = now();
            commit(changed(f, t, c -> c.nlink++), new Change.Entry(parent.id, name, f.id), withNewEntry(parent, t, 0));
            return null;
        });
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        change(() -> changeMetadata(lookup(path), new MetadataChange.Mode(mode)));
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        change(() -> changeMetadata(lookup(path), new MetadataChange.Owner(uid, gid)));
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        change(() -> changeMetadata(lookup(path), new MetadataChange.Times(atimeSec, atimeNsec, mtimeSec, mtimeNsec)));
    }

    /** chmod, chown, utimens, setxattr or removexattr of {@code f}, by name or through a handle; under {@link #change}. */
    Void changeMetadata(Inode f, MetadataChange change) throws IOException {
        long[] t = now();
        if (change instanceof MetadataChange.Mode m) {
            Change.Attributes mode = changed(f, t, c -> c.mode = (c.mode & Flags.S_IFMT) | (m.mode() & 07777));
            byte[] acl = f.xattrs.get(AccessAcl.NAME);
            if (acl == null) {
                commit(mode);
            } else {
                commit(new Change.Xattr(f.id, AccessAcl.NAME, AccessAcl.chmod(acl, m.mode())), mode);
            }
        } else if (change instanceof MetadataChange.Owner o) {
            commit(changed(f, t, c -> {
                c.uid = o.uid() == -1 ? c.uid : o.uid();
                c.gid = o.gid() == -1 ? c.gid : o.gid();
                c.mode = SetIdBits.afterChown(c.mode);
            }));
        } else if (change instanceof MetadataChange.SetXattr x) {
            ReservedAttributes.requireNotReserved(x.name());
            setxattr(f, x);
        } else if (change instanceof MetadataChange.RemoveXattr x) {
            ReservedAttributes.requireNotReserved(x.name());
            removexattr(f, x.name());
        } else if (change instanceof MetadataChange.Times times) {
            commit(changed(f, t, c -> {
                if (times.atimeNsec() != Flags.UTIME_OMIT) {
                    c.atimeSec = times.atimeNsec() == Flags.UTIME_NOW ? t[0] : times.atimeSec();
                    c.atimeNsec = times.atimeNsec() == Flags.UTIME_NOW ? t[1] : times.atimeNsec();
                }
                if (times.mtimeNsec() != Flags.UTIME_OMIT) {
                    c.mtimeSec = times.mtimeNsec() == Flags.UTIME_NOW ? t[0] : times.mtimeSec();
                    c.mtimeNsec = times.mtimeNsec() == Flags.UTIME_NOW ? t[1] : times.mtimeNsec();
                }
            }));
        }
        return null;
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        int type = mode & Flags.S_IFMT;
        int fileType = type == 0 ? Flags.S_IFREG : type;
        if (fileType != Flags.S_IFREG && fileType != Flags.S_IFIFO && fileType != Flags.S_IFSOCK
                && fileType != Flags.S_IFCHR && fileType != Flags.S_IFBLK) {
            throw new PosixException(Errno.EINVAL, "mknod", path);
        }
        long dev = fileType == Flags.S_IFCHR || fileType == Flags.S_IFBLK ? rdev : 0;
        change(() -> addNode(path, fileType | (mode & 07777 & config.filePermissions()), owner, "", dev));
    }

    /**
     * Space in 4 KiB blocks: the data area's units, free ones counted free. Inodes: those in use, and
     * as many free as the room left in a checkpoint slot holds at 256 bytes each.
     */
    @Override
    public FsStat statfs() throws IOException {
        return read(() -> {
            long perUnit = geometry.unitSize() / Geometry.BLOCK;
            long total = geometry.units() * perUnit;
            long free = (geometry.units() - state.usedUnits()) * perUnit;
            long files = state.inodes.size();
            long filesFree = Math.max(0, (geometry.slotBytes() - store.lastCheckpointBytes()) / 256);
            return new FsStat(Geometry.BLOCK, Geometry.BLOCK, total, free, free, files + filesFree, filesFree,
                    filesFree, NAME_MAX);
        });
    }

    @Override
    public void syncDirectory(String path) throws IOException {
        read(() -> lookup(path));
        store.sync();
    }

    @Override
    public void access(String path, int mask, Owner caller) throws IOException {
        read(() -> {
            Inode f = lookup(path);
            if (mask == 0) {
                return null;
            }
            int granted;
            if (caller.uid() == 0) {
                granted = 6 | ((f.mode & 0111) != 0 || f.isDirectory() ? 1 : 0);
            } else if (caller.uid() == f.uid) {
                granted = (f.mode >> 6) & 7;
            } else if (caller.gid() == f.gid) {
                granted = (f.mode >> 3) & 7;
            } else {
                granted = f.mode & 7;
            }
            if ((mask & ~granted & 7) != 0) {
                throw new PosixException(Errno.EACCES, "access", path);
            }
            return null;
        });
    }

    @Override
    public int getxattr(String path, String name, ByteBuffer value) throws IOException {
        return read(() -> getxattr(lookup(path), name, value));
    }

    /** getxattr of {@code f}, by name or through a handle; under {@link #read}. */
    int getxattr(Inode f, String name, ByteBuffer value) throws PosixException {
        XattrNamespaces.requireKnown(name, "getxattr");
        byte[] v = ReservedAttributes.isReserved(name) ? null : f.xattrs.get(name);
        if (v == null) {
            throw new PosixException(Errno.ENODATA, "getxattr", name);
        }
        return XattrReplies.answer(v, value, "getxattr", name);
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        byte[] v = new byte[value.remaining()];
        value.get(v);
        change(() -> changeMetadata(lookup(path), new MetadataChange.SetXattr(name, v, flags)));
    }

    private void setxattr(Inode f, MetadataChange.SetXattr x) throws IOException {
        String name = x.name();
        XattrNamespaces.requireKnown(name, "setxattr");
        boolean exists = f.xattrs.containsKey(name);
        if ((x.flags() & Flags.XATTR_CREATE) != 0 && exists) {
            throw new PosixException(Errno.EEXIST, "setxattr", name);
        }
        if ((x.flags() & Flags.XATTR_REPLACE) != 0 && !exists) {
            throw new PosixException(Errno.ENODATA, "setxattr", name);
        }
        if (name.equals(AccessAcl.NAME)) {
            AccessAcl acl = AccessAcl.parse(x.value());
            if (acl == null) {
                throw new PosixException(Errno.EINVAL, "setxattr", name);
            }
            Change.Attributes mode = changed(f, now(), c -> c.mode = (c.mode & ~0777) | acl.permissions());
            commit(new Change.Xattr(f.id, name, acl.equivalentToMode() ? null : x.value()), mode);
            return;
        }
        commit(new Change.Xattr(f.id, name, x.value()), changed(f, now(), c -> { }));
    }

    @Override
    public int listxattr(String path, ByteBuffer names) throws IOException {
        return read(() -> listxattr(lookup(path), names));
    }

    /** listxattr of {@code f}, by name or through a handle; under {@link #read}. */
    int listxattr(Inode f, ByteBuffer names) throws PosixException {
        java.io.ByteArrayOutputStream list = new java.io.ByteArrayOutputStream();
        for (String n : f.xattrs.keySet()) {
            if (ReservedAttributes.isReserved(n)) {
                continue; // set before the namespace was kept off this type
            }
            list.writeBytes(Names.bytes(n));
            list.write(0);
        }
        return XattrReplies.answer(list.toByteArray(), names, "listxattr", null);
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        change(() -> changeMetadata(lookup(path), new MetadataChange.RemoveXattr(name)));
    }

    private void removexattr(Inode f, String name) throws IOException {
        XattrNamespaces.requireKnown(name, "removexattr");
        if (!f.xattrs.containsKey(name)) {
            throw new PosixException(Errno.ENODATA, "removexattr", name);
        }
        commit(new Change.Xattr(f.id, name, null), changed(f, now(), c -> { }));
    }

    /** Journals the root's attributes unchanged and flushes: the device takes writes now. */
    @Override
    public void checkWritable() throws IOException {
        change(() -> {
            commit(state.inode(MetaState.ROOT).attributes());
            return null;
        });
        store.sync();
    }

    @Override
    public void registerGauges(Metrics metrics) {
        format.registerGauges(metrics);
        metrics.gauge("block_units_total", geometry::units);
        metrics.gauge("block_units_used", () -> {
            synchronized (state) {
                return state.usedUnits();
            }
        });
        metrics.gauge("block_journal_frames", store.frames::get);
        metrics.gauge("block_journal_fill_percent", () -> Math.round(store.journalFill() * 100));
        metrics.gauge("block_flushes", store.flushes::get);
        metrics.gauge("block_checkpoints", store.checkpoints::get);
        metrics.gauge("block_checksum_errors", bytes.checksumErrors::get);
        metrics.gauge("block_overwrites_in_place", bytes.overwritesInPlace::get);
        if (discards != null) {
            metrics.gauge("block_discarded_units", discards.discardedUnits::get);
        }
    }

    /** Waits for background discards (tests). */
    void drainDiscards() throws InterruptedException {
        if (discards != null) {
            discards.drain();
        }
    }

    /** Waits for the format's background work (tests). */
    void drainFormat() throws InterruptedException {
        format.drain();
    }

    @Override
    public void close() throws IOException {
        format.close(); // background work of the format writes through the volume: it ends first
        try {
            store.checkpoint();
        } finally {
            if (discards != null) {
                discards.close();
            }
            store.device.close();
        }
    }
}
