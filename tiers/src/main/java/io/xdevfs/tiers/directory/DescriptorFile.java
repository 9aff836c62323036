package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.FallocateModes;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.ReservedAttributes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A backing file that is a file below the base directory, through a descriptor: the one a handle
 * holds in the {@link DescriptorCache} ({@link Held}), which may be parked between calls, or one of
 * its own ({@link Own}, for work that outlives the handle). Writes grow the configured preallocation
 * ahead of them. Thread-safe: pread/pwrite on a shared descriptor need no lock; growing the
 * preallocation is serialised on this object, and a write past it waits only for that.
 */
public abstract sealed class DescriptorFile implements BackingFile {
    /** See {@link #pwrite}. */
    public static final int PIECE = 128 * 1024;

    final Posix posix;
    private final long id;
    private final Preallocation preallocation;
    final AtomicBoolean closed = new AtomicBoolean();
    /** How far the backing file is known to be allocated; -1 until first needed. Guarded by this. */
    private long allocatedEnd = -1;

    private DescriptorFile(Posix posix, long id, Preallocation preallocation) {
        this.posix = posix;
        this.id = id;
        this.preallocation = preallocation;
    }

    /** The descriptor a handle holds in the cache: valid for the current call only (see {@link HeldContent}). */
    static final class Held extends DescriptorFile {
        private final DescriptorCache cache;
        private final DescriptorCache.Descriptor descriptor;
        /** The attributes the open took, for {@link #attributesAtOpen}; null after. */
        private final java.util.concurrent.atomic.AtomicReference<Stat> opened;

        /** {@code opened}: the file's attributes as the open left them, or null. */
        Held(Posix posix, DescriptorCache cache, DescriptorCache.Descriptor descriptor, Preallocation preallocation,
                Stat opened) {
            super(posix, descriptor.id, preallocation);
            this.cache = cache;
            this.descriptor = descriptor;
            this.opened = new java.util.concurrent.atomic.AtomicReference<>(opened);
        }

        /** The attributes the open took, once: one fstat fewer per open. */
        @Override
        public Stat attributesAtOpen() throws IOException {
            Stat st = opened.getAndSet(null);
            if (st == null) {
                return attributes();
            }
            st.ino = id();
            return st;
        }

        /** Valid for the current call only: between calls it may be closed and later reopened as another number. */
        @Override
        int fd() {
            return descriptor.fd();
        }

        /**
         * The same file, read-write whatever this handle's access mode, so one registration serves every
         * later open of it; O_DSYNC kept ({@code use_sync_writes}): this descriptor itself when it is
         * already read-write without O_APPEND (the caller holds it for the call), else a new open through
         * /proc/self/fd (which reaches it unlinked too). None where writes must grow the preallocation
         * ({@code extent_size}).
         */
        @Override
        public int passThrough(PassthroughRegistrar registrar) throws IOException {
            if (growsPreallocation()) {
                return -1;
            }
            int flags = descriptor.reopenFlags;
            if ((flags & Flags.O_ACCMODE) == Flags.O_RDWR && (flags & Flags.O_APPEND) == 0) {
                return registrar.register(fd());
            }
            int readWrite = posix.openat(Flags.AT_FDCWD, "/proc/self/fd/" + fd(),
                    Flags.O_RDWR | Flags.O_CLOEXEC | (flags & Flags.O_SYNC), 0);
            try {
                return registrar.register(readWrite);
            } finally {
                posix.close(readWrite);
            }
        }

        @Override
        public void close() throws IOException {
            if (closed.compareAndSet(false, true)) {
                cache.close(descriptor);
            }
        }
    }

    /** A descriptor of its own, outside the cache's bound (background work after a handle closed). */
    static final class Own extends DescriptorFile {
        private final int fd;

        Own(Posix posix, int fd, long id, Preallocation preallocation) {
            super(posix, id, preallocation);
            this.fd = fd;
        }

        @Override
        int fd() {
            return fd;
        }

        @Override
        public void close() throws IOException {
            if (closed.compareAndSet(false, true)) {
                posix.close(fd);
            }
        }
    }

    abstract int fd();

    @Override
    public long id() {
        return id;
    }

    @Override
    public int descriptor() {
        return fd();
    }

    @Override
    public BackingFile duplicate() throws IOException {
        return new Own(posix, posix.dup(fd()), id, preallocation);
    }

    @Override
    public int readOnce(ByteBuffer dst, long offset) throws IOException {
        return posix.preadOnce(fd(), dst, offset);
    }

    @Override
    public long size() throws IOException {
        return posix.fileSize(fd());
    }

    @Override
    public long seekData(long offset) throws IOException {
        return posix.seekData(fd(), offset);
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return posix.pread(fd(), dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        reserve(offset + src.remaining());
        return pwrite(src, offset);
    }

    /**
     * Backing writes in pieces of at most {@link #PIECE} bytes. A FUSE request carries up to 1 MiB, and a
     * page-cache copy that large runs at a third of the speed of 128 KiB ones here (the copy's source and
     * target no longer fit the CPU's cache together): natively on ext4, 1 MiB pwrites made 0.57 GB/s and
     * 128 KiB ones 1.7 GB/s. Splitting costs one system call per piece and changes nothing a reader sees:
     * a FUSE write was never atomic against concurrent reads.
     *
     * <p>When the backing filesystem fills up partway, the answer is the bytes it took, a short write as
     * write(2) gives it, and the error only when it took none: the bytes written are in the file, and a
     * caller told the whole write failed would believe the old bytes still there.
     */
    private int pwrite(ByteBuffer src, long offset) throws IOException {
        int total = src.remaining();
        int start = src.position();
        int done = 0;
        try {
            while (done < total) {
                int n = Math.min(PIECE, total - done);
                int stored = posix.pwriteOnce(fd(), src.slice(start + done, n), offset + done);
                if (stored == 0) { // never for a regular file; asking again would ask forever
                    throw new PosixException(Errno.EIO, "pwrite stored nothing", null);
                }
                done += stored;
                if (stored < n) {
                    break; // the filesystem took part of it: full, and the caller's next write meets the error
                }
            }
        } catch (PosixException e) {
            if (done == 0) {
                throw e;
            }
        }
        src.position(start + done);
        return done;
    }

    boolean growsPreallocation() {
        return preallocation.extentBytes() > 0;
    }

    /** Grows the preallocation (if configured) to cover a write ending at {@code end}. */
    @Override
    public void reserve(long end) throws IOException {
        if (preallocation.extentBytes() > 0) {
            reserveExtents(end);
        }
    }

    /**
     * Allocates up to the extent boundary past {@code end}. Advisory: where the backing filesystem
     * cannot (EOPNOTSUPP) or has no room (ENOSPC), the write itself decides what the caller sees.
     */
    private synchronized void reserveExtents(long end) throws IOException {
        if (allocatedEnd < 0) {
            allocatedEnd = posix.fstat(fd()).size;
        }
        if (end <= allocatedEnd) {
            return;
        }
        long target = preallocation.extentEndFor(end);
        try {
            posix.fallocate(fd(), Flags.FALLOC_FL_KEEP_SIZE, allocatedEnd, target - allocatedEnd);
            allocatedEnd = target;
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOSPC && e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            allocatedEnd = Long.MAX_VALUE; // stop trying for this handle
        }
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        posix.fsync(fd(), dataOnly);
    }

    @Override
    public void startWriteback() throws IOException {
        posix.startWriteback(fd(), 0, 0); // to the end of the file: only dirty pages are written
    }

    @Override
    public void truncate(long size) throws IOException {
        posix.ftruncate(fd(), size);
    }

    @Override
    public Stat attributes() throws IOException {
        Stat st = posix.fstat(fd());
        st.ino = id;
        return st;
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        if (change instanceof MetadataChange.Mode m) {
            posix.fchmod(fd(), m.mode() & 07777);
        } else if (change instanceof MetadataChange.Owner o) {
            posix.fchown(fd(), o.uid(), o.gid());
        } else if (change instanceof MetadataChange.Times t) {
            posix.futimens(fd(), t.atimeSec(), t.atimeNsec(), t.mtimeSec(), t.mtimeNsec());
        } else if (change instanceof MetadataChange.SetXattr x) {
            ReservedAttributes.requireNotReserved(x.name());
            posix.fsetxattr(fd(), x.name(), ByteBuffer.allocateDirect(x.value().length).put(x.value()).flip(), x.flags());
        } else if (change instanceof MetadataChange.RemoveXattr x) {
            ReservedAttributes.requireNotReserved(x.name());
            posix.fremovexattr(fd(), x.name());
        }
    }

    /** As {@link DirectoryVolume#getxattr} by name: xdevfs's own attributes are not there for anyone. */
    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        if (ReservedAttributes.isReserved(name)) {
            throw new PosixException(Errno.ENODATA, "getxattr", name);
        }
        return posix.fgetxattr(fd(), name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        int fd = fd();
        return FileIds.listWithoutOurs(names, all -> posix.flistxattr(fd, all), "a handle");
    }

    /** The backing file's own holes: the filesystem below knows them exactly. */
    @Override
    public long seek(long offset, boolean data) throws IOException {
        return posix.seekDataOrHole(fd(), offset, data);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        FallocateModes.require(mode, FallocateModes.PASS_THROUGH);
        posix.fallocate(fd(), mode, offset, length);
        if (FallocateModes.changesBlocks(mode)) {
            synchronized (this) {
                allocatedEnd = -1; // holes punched or blocks moved: look again before the next reservation
            }
        }
    }
}
