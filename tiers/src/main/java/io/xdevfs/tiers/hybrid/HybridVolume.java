package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.directory.OpenFiles;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two tiers behind one namespace. The namespace volume (over {@code base_directory}) holds the tree:
 * directories, names, hard links, symlinks, modes, owners and extended attributes; a regular file
 * there is an empty stub whose xdevfs id names the object that holds its bytes in exactly one tier
 * ({@link ObjectNames}). So renames and links never touch the tiers, a file keeps its inode number
 * when it moves, and a move is a copy of one object between two volumes ({@link Mover}).
 *
 * <p>A stub without an object is an empty file (the object is made on first use). Every call that
 * touches an object holds the file's gate ({@link OpenFiles.Entry#gate}) shared, so a move, which
 * holds it alone only to switch tiers, never switches under a call. Names that drop a file's last
 * link (unlink, rename over it) are serialised by one lock, so that a file's objects go exactly when
 * its last name and its last handle are gone.
 */
public final class HybridVolume implements Volume {
    /** Read it for a file's tier; write "hot" or "cold" to move the file there now (xdevfs tier). */
    public static final String TIER_ATTRIBUTE = "user.xdevfs.tier";
    /** Read, write or remove it for a file's or directory's pin (xdevfs tier pin/unpin). */
    public static final String PIN_ATTRIBUTE = "user.xdevfs.pin";
    static final String PLACED_ATTRIBUTE = ReservedAttributes.COMPOSED_PREFIX + "placed";
    /** Objects belong to the daemon; the stub carries the file's owner and mode. */
    static final Owner DAEMON = new Owner(0, 0);

    private final Volume namespace;
    private final Volume hot;
    private final Volume cold;
    private final OpenFiles files = new OpenFiles(state -> lastRelease((FileState) state));
    private final ReentrantLock names = new ReentrantLock();
    final HybridStats stats = new HybridStats();
    final ColdCount coldCount = new ColdCount(System::nanoTime);
    private final Mover mover;
    private final Migrator migrator;

    /** Whether writers of hot files may be handed to FUSE passthrough ({@link HybridContent#passThrough}). */
    private final boolean passthrough;

    /**
     * {@code faults}: where a failed background pass is reported (the files stay where they were).
     * {@code tiersShareFilesystem}: the hot and the cold tier's directories are on one filesystem. Only
     * then are hot files passed through: a write the kernel makes to a full hot tier fails with ENOSPC,
     * which is right when the cold tier is as full; on tiers of their own filesystems such a write goes
     * through the daemon, which moves the file to the cold tier and writes it there.
     */
    public HybridVolume(Volume namespace, Volume hot, Volume cold, HybridSettings settings, Posix posix,
                        java.util.function.Consumer<Exception> faults, boolean tiersShareFilesystem) throws IOException {
        this.namespace = namespace;
        this.hot = hot;
        this.cold = cold;
        this.passthrough = tiersShareFilesystem;
        new Recovery(namespace, hot, cold).run();
        this.mover = new Mover(this, settings);
        this.migrator = new Migrator(this, mover, settings, posix, faults);
        migrator.start();
    }

    Volume tier(Tier tier) {
        return tier == Tier.HOT ? hot : cold;
    }

    OpenFiles files() {
        return files;
    }

    Mover mover() {
        return mover;
    }

    boolean passthrough() {
        return passthrough;
    }

    // ---- the file's entry and tier ----

    /** The file's entry with its state made; the caller releases it. */
    OpenFiles.Entry enter(long id) throws IOException {
        OpenFiles.Entry entry = files.acquire(id);
        try {
            entry.stateOr(() -> new FileState(id));
            return entry;
        } catch (IOException | RuntimeException e) {
            entry.release();
            throw e;
        }
    }

    /** Where the file's object is (null: it has none yet); call holding the gate. */
    Tier locate(FileState s) throws IOException {
        Tier t = s.tier;
        if (t != null) {
            return t;
        }
        for (Tier candidate : Tier.values()) {
            try {
                tier(candidate).getattr(ObjectNames.of(s.id));
                s.tier = candidate;
                return candidate;
            } catch (PosixException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
        return null;
    }

    /** The file's object, made empty in the hot tier when it has none; call holding the gate. */
    Tier locateOrCreate(FileState s) throws IOException {
        return locateOrCreate(s, null);
    }

    /** {@code pin}: the pin of the directory a new file is made in (its object goes there, pinned), or null. */
    private Tier locateOrCreate(FileState s, Tier pin) throws IOException {
        Tier t = locate(s);
        if (t != null) {
            return t;
        }
        synchronized (s) {
            if (s.tier == null) {
                Tier where = pin == null ? Tier.HOT : pin;
                tier(where).create(ObjectNames.of(s.id), Flags.O_WRONLY, 0600, DAEMON).close();
                if (pin != null) {
                    Pins.set(tier(where), ObjectNames.of(s.id), pin);
                    Placement.record(tier(where), ObjectNames.of(s.id), "made in a directory pinned " + where.configName());
                }
                s.entryPending = true;
                s.tier = where;
            }
            return s.tier;
        }
    }

    /** Runs {@code call} on the file's object (made if missing) holding the gate shared. */
    private <T> T onObject(long id, boolean changes, ObjectCall<T> call) throws IOException {
        OpenFiles.Entry entry = enter(id);
        try {
            FileState s = entry.state();
            entry.gate.readLock().lock();
            try {
                Tier t = locateOrCreate(s);
                T result = call.apply(tier(t), ObjectNames.of(id), t);
                if (changes) {
                    s.changes.incrementAndGet();
                }
                return result;
            } finally {
                entry.gate.readLock().unlock();
            }
        } finally {
            entry.release();
        }
    }

    @FunctionalInterface
    private interface ObjectCall<T> {
        T apply(Volume tier, String object, Tier where) throws IOException;
    }

    private void lastRelease(FileState s) throws IOException {
        if (s.unlinked) {
            if (s.tier != Tier.HOT) { // a hot file (a WAL segment deleted while hot) has no cold object to count
                countColdObjectGone(s.id);
            }
            deleteObjects(s.id);
        }
    }

    /** The cold tier's gauges lose the object of {@code id}, if it has one. */
    private void countColdObjectGone(long id) throws IOException {
        try {
            Stat cold = tier(Tier.COLD).getattr(ObjectNames.of(id));
            coldCount.left(cold.size, cold.blocks * 512);
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    private void deleteObjects(long id) throws IOException {
        migrator.forget(id);
        for (Tier t : Tier.values()) {
            ObjectNames.removeIfPresent(tier(t), ObjectNames.of(id));
            ObjectNames.removeIfPresent(tier(t), ObjectNames.part(id));
        }
    }

    /** The file lost a name: when it was the last, its objects go now or with its last handle. */
    private void dropped(Stat before) throws IOException {
        if (!before.isRegularFile() || before.nlink > 1) {
            return;
        }
        OpenFiles.Entry entry = enter(before.ino);
        ((FileState) entry.state()).unlinked = true;
        entry.release();
    }

    /** The stub's attributes with the object's size, blocks and times: what the file is. */
    static Stat merge(Stat stub, Stat object) {
        if (object == null) {
            stub.size = 0;
            stub.blocks = 0;
            return stub;
        }
        stub.size = object.size;
        stub.blocks = object.blocks;
        stub.blksize = object.blksize;
        stub.atimeSec = object.atimeSec;
        stub.atimeNsec = object.atimeNsec;
        stub.mtimeSec = object.mtimeSec;
        stub.mtimeNsec = object.mtimeNsec;
        if (object.mtimeSec > stub.ctimeSec || object.mtimeSec == stub.ctimeSec && object.mtimeNsec > stub.ctimeNsec) {
            stub.ctimeSec = object.mtimeSec; // a write changes ctime too
            stub.ctimeNsec = object.mtimeNsec;
        }
        return stub;
    }

    // ---- Volume ----

    @Override
    public Stat getattr(String path) throws IOException {
        Stat st = namespace.getattr(path);
        if (!st.isRegularFile()) {
            return st;
        }
        OpenFiles.Entry entry = enter(st.ino);
        try {
            entry.gate.readLock().lock();
            try {
                Tier t = locate(entry.state());
                return merge(st, t == null ? null : tier(t).getattr(ObjectNames.of(st.ino)));
            } finally {
                entry.gate.readLock().unlock();
            }
        } finally {
            entry.release();
        }
    }

    @Override
    public List<DirEntry> readdir(String path) throws IOException {
        return namespace.readdir(path);
    }

    @Override
    public void readdir(String path, java.util.function.Predicate<DirEntry> each) throws IOException {
        namespace.readdir(path, each);
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        namespace.mkdir(path, mode, owner);
    }

    @Override
    public void rmdir(String path) throws IOException {
        namespace.rmdir(path);
    }

    @Override
    public void unlink(String path) throws IOException {
        names.lock();
        try {
            Stat before = namespace.getattr(path);
            namespace.unlink(path);
            dropped(before);
        } finally {
            names.unlock();
        }
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        Tier pin = Pins.of(namespace, parent(path));
        return withData(namespace.create(path, flags, mode, owner), flags, pin);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        return withData(namespace.open(path, Flags.O_RDONLY), flags, null);
    }

    /** Opens the object of the file whose stub is {@code stub} with the caller's {@code flags}. */
    private Content withData(Content stub, int flags, Tier pin) throws IOException {
        OpenFiles.Entry entry = null;
        try {
            Stat st = stub.attributes();
            if (!st.isRegularFile()) {
                return stub;
            }
            entry = enter(st.ino);
            FileState s = entry.state();
            entry.gate.readLock().lock();
            try {
                Tier t = locateOrCreate(s, pin);
                Content data = tier(t).open(ObjectNames.of(s.id), HybridContent.objectFlags(flags));
                if ((flags & Flags.O_TRUNC) != 0) {
                    s.changes.incrementAndGet();
                }
                boolean writes = (flags & Flags.O_ACCMODE) != Flags.O_RDONLY;
                if (writes) {
                    s.writers.incrementAndGet();
                } else if (t == Tier.COLD) {
                    migrator.readCold(s.id);
                }
                return new HybridContent(this, entry, stub, data, flags);
            } finally {
                entry.gate.readLock().unlock();
            }
        } catch (IOException | RuntimeException e) {
            if (entry != null) {
                entry.release();
            }
            stub.close();
            throw e;
        }
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        Stat st = namespace.getattr(path);
        if (!st.isRegularFile()) {
            namespace.truncate(path, size); // the errno a directory or link gives
            return;
        }
        onObject(st.ino, true, (v, object, t) -> {
            v.truncate(object, size);
            return null;
        });
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        names.lock();
        try {
            Stat source = namespace.getattr(from);
            Stat replaced = null;
            Stat exchanged = (flags & Flags.RENAME_EXCHANGE) != 0 ? namespace.getattr(to) : null;
            if (exchanged == null) {
                try {
                    replaced = namespace.getattr(to);
                } catch (PosixException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw e;
                    }
                }
            }
            namespace.rename(from, to, flags);
            if (replaced != null && replaced.ino != source.ino) {
                dropped(replaced);
            }
            if (source.isRegularFile()) {
                migrator.renamed(source.ino);
            }
            if (exchanged != null && exchanged.isRegularFile()) { // renamed as much as the source
                migrator.renamed(exchanged.ino);
            }
        } finally {
            names.unlock();
        }
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        namespace.symlink(target, path, owner);
    }

    @Override
    public String readlink(String path) throws IOException {
        return namespace.readlink(path);
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        names.lock();
        try {
            namespace.link(existing, newPath);
        } finally {
            names.unlock();
        }
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        namespace.chmod(path, mode);
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        namespace.chown(path, uid, gid);
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        Stat st = namespace.getattr(path);
        if (!st.isRegularFile()) {
            namespace.utimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            return;
        }
        onObject(st.ino, true, (v, object, t) -> {
            v.utimens(object, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            return null;
        });
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        namespace.mknod(path, mode, rdev, owner);
    }

    /**
     * Blocks and files of both tiers added, counted once when both tiers are on one filesystem; block
     * counts in the hot tier's fragment size. The names' own filesystem counts only when it is neither.
     */
    @Override
    public FsStat statfs() throws IOException {
        FsStat h = hot.statfs();
        if (hot.getattr("/").dev == cold.getattr("/").dev) {
            return h;
        }
        FsStat c = cold.statfs();
        double scale = (double) c.fragmentSize() / h.fragmentSize();
        return new FsStat(h.blockSize(), h.fragmentSize(), h.blocks() + (long) (c.blocks() * scale),
                h.blocksFree() + (long) (c.blocksFree() * scale), h.blocksAvailable() + (long) (c.blocksAvailable() * scale),
                h.files() + c.files(), h.filesFree() + c.filesFree(), h.filesAvailable() + c.filesAvailable(),
                Math.min(h.nameMax(), c.nameMax()));
    }

    @Override
    public void syncDirectory(String path) throws IOException {
        namespace.syncDirectory(path);
    }

    @Override
    public void access(String path, int mask, Owner caller) throws IOException {
        namespace.access(path, mask, caller);
    }

    @Override
    public int getxattr(String path, String name, ByteBuffer value) throws IOException {
        String answer;
        if (name.equals(TIER_ATTRIBUTE)) {
            answer = status(path);
        } else if (name.equals(PIN_ATTRIBUTE)) {
            Tier pin = pinOf(path);
            if (pin == null) {
                throw new PosixException(Errno.ENODATA, "not pinned", path);
            }
            answer = pin.configName();
        } else {
            requireNotTiers(name);
            return namespace.getxattr(path, name, value);
        }
        return io.xdevfs.tiers.XattrReplies.answer(answer.getBytes(StandardCharsets.UTF_8), value, "getxattr", path);
    }

    /** "hot" or "cold", then since when and why it is there, as {@code xdevfs tier status} prints it. */
    private String status(String path) throws IOException {
        Stat st = namespace.getattr(path);
        if (!st.isRegularFile()) {
            throw new PosixException(Errno.ENODATA, "tier of a non-regular file", path);
        }
        return onObject(st.ino, false, (v, object, t) -> t.configName() + " " + Placement.describe(v, object));
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        if (!name.equals(TIER_ATTRIBUTE) && !name.equals(PIN_ATTRIBUTE)) {
            requireNotTiers(name);
            namespace.setxattr(path, name, value, flags);
            return;
        }
        Tier to = Pins.parse(StandardCharsets.UTF_8.decode(value).toString());
        if (to == null) {
            throw new PosixException(Errno.EINVAL, "a tier is hot or cold", path);
        }
        Stat st = namespace.getattr(path);
        if (name.equals(PIN_ATTRIBUTE) && st.isDirectory()) {
            Pins.set(namespace, path, to);
            return;
        }
        if (!st.isRegularFile()) {
            throw new PosixException(Errno.EINVAL, "only regular files and directories have a tier", path);
        }
        if (name.equals(PIN_ATTRIBUTE)) {
            onObject(st.ino, false, (v, object, t) -> {
                Pins.set(v, object, to);
                return null;
            });
            // BUSY (open in passthrough): the pin stands, and the migrator's first pass after the last handle closes moves it
            mover.moveNow(st.ino, to, "pinned " + to.configName());
            return;
        }
        Tier pin = pinOf(path);
        if (pin != null && pin != to) {
            throw new PosixException(Errno.EPERM, "pinned " + pin.configName() + "; unpin it first", path);
        }
        if (mover.moveNow(st.ino, to, "requested (xdevfs tier migrate)") == Mover.Outcome.BUSY) {
            throw Mover.passedThrough(path);
        }
    }

    /** The pin of a file (on its object) or directory (in the namespace), or null. */
    private Tier pinOf(String path) throws IOException {
        Stat st = namespace.getattr(path);
        if (st.isDirectory()) {
            return Pins.of(namespace, path);
        }
        if (!st.isRegularFile()) {
            return null;
        }
        return onObject(st.ino, false, (v, object, t) -> Pins.of(v, object));
    }

    /** The tiers' own records are xdevfs's, like file ids: no user sets them, on a stub or anywhere. */
    static void requireNotTiers(String name) throws PosixException {
        if (name.startsWith(ReservedAttributes.COMPOSED_PREFIX)) {
            throw new PosixException(Errno.EPERM, "reserved attribute", name);
        }
    }

    @Override
    public int listxattr(String path, ByteBuffer names) throws IOException {
        return namespace.listxattr(path, names); // which lists none of xdevfs's own (a directory's pin)
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        if (name.equals(PIN_ATTRIBUTE)) {
            Stat st = namespace.getattr(path);
            if (st.isRegularFile()) {
                onObject(st.ino, false, (v, object, t) -> {
                    Pins.clear(v, object);
                    return null;
                });
            } else {
                Pins.clear(namespace, path);
            }
            return;
        }
        requireNotTiers(name);
        namespace.removexattr(path, name);
    }

    @Override
    public void checkWritable() throws IOException {
        namespace.checkWritable();
        for (Tier t : Tier.values()) {
            try {
                tier(t).checkWritable();
            } catch (IOException e) {
                throw new IOException("the " + t.configName() + " tier cannot take writes: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void registerGauges(Metrics metrics) {
        TierGauges.register(metrics, hot, cold);
        stats.registerGauges(metrics, migrator);
    }

    /** Runs the migrator's placement pass now (tests; the migrator runs it every interval). */
    public int migrateNow() throws IOException {
        return migrator.pass();
    }

    @Override
    public void close() throws IOException {
        migrator.stop();
        IOException failure = null;
        for (Volume v : List.of(namespace, hot, cold)) {
            try {
                v.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
