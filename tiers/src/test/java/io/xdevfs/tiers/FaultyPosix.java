package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.ForwardingPosix;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The system-call seam for fault tests below the mount: fails a chosen call with an errno, tears a
 * write, and simulates a power cut. For the cut it remembers, per regular file, the bytes as of its
 * last fsync (or as of its first change here) and the changes since, in order: {@link #powerCut}
 * stops every later call with EIO (the machine is dead: background threads of the old volume can
 * change nothing), closes every descriptor and mapping, and puts each file back to its synced bytes
 * plus a random prefix of its unsynced changes, the last one possibly torn; the next volume then
 * mounts what a disk could hold after the cut.
 *
 * <p>Model: only file data is volatile. Directory changes (create, rename, unlink) are durable at
 * once, as if every directory were synced; writes through a shared mapping count from the fsync
 * that follows their msync, and a file written through one keeps none of its unsynced changes.
 * O_SYNC/O_DSYNC writes are durable on return. Bookkeeping and the changes it records are one
 * step (one lock), so the order recorded is the order applied.
 */
public final class FaultyPosix extends ForwardingPosix {
    private record Key(long dev, long ino) {
    }

    private sealed interface Change permits Write, Resize, Allocate {
    }

    private record Write(long offset, byte[] bytes) implements Change {
    }

    private record Resize(long size) implements Change {
    }

    private record Allocate(int mode, long offset, long length) implements Change {
    }

    private static final class FileState {
        byte[] durable;
        final List<Change> unsynced = new ArrayList<>();
        boolean mapped;
    }

    private record Open(Key key, boolean syncWrites) {
    }

    private record Mapping(Key key, int fd, long offset, long length) {
    }

    private record Rule(String call, int errno, int[] skip, int[] times) {
    }

    private final Map<Integer, Open> descriptors = new HashMap<>();
    private final Map<Long, Mapping> mappings = new HashMap<>();
    private final Map<Key, FileState> files = new HashMap<>();
    private final List<Rule> rules = new ArrayList<>();
    /** Descriptors whose writes fail, and with what: each had a torn {@link #pwriteOnce}. */
    private final Map<Integer, Integer> full = new HashMap<>();
    private boolean dead;
    private int tearNextWrites;
    private int tearErrno = Errno.EIO;
    private int dieIn = -1;
    private int callsMade;

    public FaultyPosix() {
        super(Posix.get());
    }

    /** The next {@code times} calls named {@code call} after {@code skip} more of them fail with {@code errno}. */
    public synchronized FaultyPosix fail(String call, int errno, int skip, int times) {
        rules.add(new Rule(call, errno, new int[] {skip}, new int[] {times}));
        return this;
    }

    synchronized FaultyPosix fail(String call, int errno) {
        return fail(call, errno, 0, 1);
    }

    /**
     * The next pwrite writes the first half of its bytes, then fails with EIO (a torn write the caller
     * sees); through {@link #pwriteOnce} the half is a short count and the next pwrite fails.
     */
    synchronized void tearNextWrite() {
        tearNextWrite(Errno.EIO);
    }

    /** The next pwrite writes the first half of its bytes, then fails with {@code errno} (a disk filling up mid-write). */
    synchronized void tearNextWrite(int errno) {
        tearNextWrites++;
        tearErrno = errno;
    }

    /**
     * The machine stops after {@code calls} more calls: that call and every later one fail with EIO, as
     * if the process had been killed there (a {@link #powerCut} then decides what the disk kept).
     * Returns how many calls went through since the last {@code dieAfter} (counting starts at -1: never).
     */
    synchronized int dieAfter(int calls) {
        int made = callsMade;
        callsMade = 0;
        dieIn = calls;
        return made;
    }

    synchronized void clearFaults() {
        rules.clear();
        tearNextWrites = 0;
        full.clear();
    }

    @Override
    protected synchronized void before(String call) throws PosixException {
        if (dead) {
            throw new PosixException(Errno.EIO, call + " after the power cut", null);
        }
        callsMade++;
        if (dieIn >= 0 && dieIn-- == 0) {
            dead = true;
            throw new PosixException(Errno.EIO, call + " (the machine stopped here)", null);
        }
        for (Rule r : rules) {
            if (r.call.equals(call) && r.times[0] > 0) {
                if (r.skip[0] > 0) {
                    r.skip[0]--;
                    continue;
                }
                r.times[0]--;
                throw new PosixException(r.errno, call + " (injected)", null);
            }
        }
    }

    // ---- descriptors --------------------------------------------------------------------------

    private int opened(int fd, int flags) throws PosixException {
        Stat st = delegate.fstat(fd);
        Key key = (st.mode & Flags.S_IFMT) == Flags.S_IFREG ? new Key(st.dev, st.ino) : null;
        descriptors.put(fd, new Open(key, (flags & Flags.O_DSYNC) != 0));
        return fd;
    }

    @Override
    public synchronized int openat(int dirfd, String path, int flags, int mode) throws PosixException {
        return opened(super.openat(dirfd, path, flags, mode), flags);
    }

    @Override
    public synchronized int openBeneath(int dirfd, String path, int flags) throws PosixException {
        return opened(super.openBeneath(dirfd, path, flags), flags);
    }

    @Override
    public synchronized int openByHandle(int mountFd, byte[] fileHandle, int flags) throws PosixException {
        return opened(super.openByHandle(mountFd, fileHandle, flags), flags);
    }

    @Override
    public synchronized int dup(int fd) throws PosixException {
        int copy = super.dup(fd);
        Open o = descriptors.get(fd);
        if (o != null) {
            descriptors.put(copy, o);
        }
        return copy;
    }

    @Override
    public synchronized void close(int fd) throws PosixException {
        before("close");
        full.remove(fd);
        Open o = descriptors.remove(fd);
        if (o != null && o.key != null && !inUse(o.key) && delegate.fstat(fd).nlink == 0) {
            files.remove(o.key); // the inode is freed now, and its number may come back as another file
        }
        delegate.close(fd);
    }

    private boolean inUse(Key key) {
        return descriptors.values().stream().anyMatch(o -> key.equals(o.key))
                || mappings.values().stream().anyMatch(m -> key.equals(m.key));
    }

    /** Forgets the file {@code dir}/{@code name} if {@code removal} frees its inode. */
    private void removing(int dir, String name, PosixAction removal) throws PosixException {
        Key key = null;
        try {
            Stat st = delegate.lstatAt(dir, name);
            if ((st.mode & Flags.S_IFMT) == Flags.S_IFREG && st.nlink == 1) {
                key = new Key(st.dev, st.ino);
            }
        } catch (PosixException e) {
            // nothing there: the removal will say so
        }
        removal.run();
        if (key != null && !inUse(key)) {
            files.remove(key);
        }
    }

    @FunctionalInterface
    private interface PosixAction {
        void run() throws PosixException;
    }

    @Override
    public synchronized void unlinkat(int dirfd, String name, boolean directory) throws PosixException {
        before("unlinkat");
        removing(dirfd, name, () -> delegate.unlinkat(dirfd, name, directory));
    }

    @Override
    public synchronized void renameat2(int fromDir, String from, int toDir, String to, int flags) throws PosixException {
        before("renameat2");
        removing(toDir, to, () -> delegate.renameat2(fromDir, from, toDir, to, flags));
    }

    // ---- changes --------------------------------------------------------------------------------

    /** The state of the regular file open as {@code fd}, first seen now: its bytes so far count as synced. */
    private FileState stateOf(int fd) {
        Open o = descriptors.get(fd);
        if (o == null || o.key == null) {
            return null;
        }
        return files.computeIfAbsent(o.key, k -> {
            FileState f = new FileState();
            f.durable = contentOf(fd);
            return f;
        });
    }

    private void changed(int fd, FileState f, Change change) {
        if (f == null) {
            return;
        }
        if (descriptors.get(fd).syncWrites) {
            f.durable = contentOf(fd);
        } else {
            f.unsynced.add(change);
        }
    }

    /** After a torn {@link #pwriteOnce} the file's writes fail with the tear's errno until {@link #clearFaults}. */
    private void refuseIfFull(int fd) throws PosixException {
        Integer errno = full.get(fd);
        if (errno != null) {
            throw new PosixException(errno, "pwrite (after a short write, injected)", null);
        }
    }

    /**
     * One pwrite(2): a torn one stores the first half and says so (a short count), and later writes of
     * that descriptor fail with the tear's errno, as a filled disk answers a program that writes the
     * rest (other descriptors, another tier's files, still write).
     */
    @Override
    public synchronized int pwriteOnce(int fd, ByteBuffer src, long offset) throws PosixException {
        return write(fd, src, offset, true);
    }

    /** A torn one stores the first half and fails, as {@link Posix#pwrite}'s loop does when its second call fails. */
    @Override
    public synchronized int pwrite(int fd, ByteBuffer src, long offset) throws PosixException {
        return write(fd, src, offset, false);
    }

    private int write(int fd, ByteBuffer src, long offset, boolean once) throws PosixException {
        before("pwrite");
        refuseIfFull(fd);
        FileState f = stateOf(fd);
        byte[] bytes = new byte[src.remaining()];
        src.duplicate().get(bytes);
        if (tearNextWrites > 0 && (bytes.length > 1 || !once)) {
            tearNextWrites--;
            int half = bytes.length / 2;
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + half);
            delegate.pwrite(fd, part, offset);
            changed(fd, f, new Write(offset, Arrays.copyOf(bytes, half)));
            if (!once) {
                throw new PosixException(tearErrno, "pwrite (torn, injected)", null);
            }
            src.position(src.position() + half);
            full.put(fd, tearErrno);
            return half;
        }
        int n = delegate.pwrite(fd, src, offset);
        changed(fd, f, new Write(offset, bytes));
        return n;
    }

    @Override
    public synchronized void ftruncate(int fd, long length) throws PosixException {
        before("ftruncate");
        FileState f = stateOf(fd);
        delegate.ftruncate(fd, length);
        changed(fd, f, new Resize(length));
    }

    @Override
    public synchronized void fallocate(int fd, int mode, long offset, long length) throws PosixException {
        before("fallocate");
        FileState f = stateOf(fd);
        delegate.fallocate(fd, mode, offset, length);
        changed(fd, f, new Allocate(mode, offset, length));
    }

    @Override
    public synchronized long mapShared(int fd, long offset, long length, boolean writable) throws PosixException {
        before("mapShared");
        FileState f = writable ? stateOf(fd) : null;
        if (f != null) {
            f.mapped = true;
        }
        long address = delegate.mapShared(fd, offset, length, writable);
        Open o = descriptors.get(fd);
        mappings.put(address, new Mapping(o == null ? null : o.key, fd, offset, length));
        return address;
    }

    @Override
    public synchronized void unmap(long address, long length) throws PosixException {
        before("unmap");
        mappings.remove(address);
        delegate.unmap(address, length);
    }

    /** msync(MS_SYNC) is a ranged fdatasync: the window's bytes and the file's size become durable. */
    @Override
    public synchronized void syncMapping(long address, long length) throws PosixException {
        before("syncMapping");
        delegate.syncMapping(address, length);
        Mapping m = mappings.get(address);
        FileState f = m == null || m.key == null ? null : files.get(m.key);
        if (f != null) {
            byte[] now = contentOf(m.fd);
            byte[] durable = Arrays.copyOf(f.durable, now.length);
            int from = (int) Math.min(now.length, m.offset);
            int to = (int) Math.min(now.length, m.offset + length);
            System.arraycopy(now, from, durable, from, to - from);
            f.durable = durable;
        }
    }

    @Override
    public synchronized void fsync(int fd, boolean dataOnly) throws PosixException {
        before("fsync");
        FileState f = stateOf(fd);
        delegate.fsync(fd, dataOnly);
        if (f != null) {
            f.durable = contentOf(fd);
            f.unsynced.clear();
        }
    }

    /** The file's bytes now, read through a descriptor of our own (the caller's may be O_DIRECT or write-only). */
    private static byte[] contentOf(int fd) {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(ch.size()));
            while (all.hasRemaining() && ch.read(all, all.position()) >= 0) {
                // until full
            }
            return all.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the cut ----------------------------------------------------------------------------------

    /**
     * Kills the "machine": every later call fails, every descriptor and mapping closes, and each file
     * below {@code root} that changed through here holds its synced bytes plus a random prefix of its
     * later changes (the last kept write torn at a random 512-byte boundary half the time).
     */
    void powerCut(Path root, Random random) throws IOException {
        Map<Key, FileState> snapshot;
        synchronized (this) {
            dead = true;
            for (Map.Entry<Long, Mapping> m : mappings.entrySet()) {
                delegate.unmap(m.getKey(), m.getValue().length);
            }
            for (int fd : descriptors.keySet()) {
                delegate.close(fd);
            }
            mappings.clear();
            descriptors.clear();
            snapshot = new HashMap<>(files);
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(Files::isRegularFile).toList();
        }
        for (Path p : paths) {
            Key key = new Key((Long) Files.getAttribute(p, "unix:dev"), (Long) Files.getAttribute(p, "unix:ino"));
            FileState f = snapshot.remove(key);
            if (f != null) {
                restore(p, f, random);
            }
        }
    }

    private void restore(Path p, FileState f, Random random) throws IOException {
        int keep = f.mapped ? 0 : random.nextInt(f.unsynced.size() + 1);
        int fd = delegate.openat(Flags.AT_FDCWD, p.toString(), Flags.O_WRONLY, 0);
        try {
            delegate.ftruncate(fd, 0);
            delegate.pwrite(fd, ByteBuffer.wrap(f.durable), 0);
            delegate.ftruncate(fd, f.durable.length);
            for (int i = 0; i < keep; i++) {
                Change c = f.unsynced.get(i);
                if (c instanceof Write w) {
                    int length = w.bytes.length;
                    if (i == keep - 1 && random.nextBoolean()) {
                        length = Math.min(length, random.nextInt(length / 512 + 1) * 512);
                    }
                    delegate.pwrite(fd, ByteBuffer.wrap(w.bytes, 0, length), w.offset);
                } else if (c instanceof Resize r) {
                    delegate.ftruncate(fd, r.size);
                } else if (c instanceof Allocate a) {
                    delegate.fallocate(fd, a.mode, a.offset, a.length);
                }
            }
        } finally {
            delegate.close(fd);
        }
    }
}
