package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The raw content format: the file's bytes are the backing file's bytes, through one descriptor.
 * Thread-safe: pread/pwrite on a shared descriptor need no lock; growing the preallocation is
 * serialised on this object, and a write past it waits only for that.
 */
final class RawContent implements Content {
    /** See {@link #pwrite}. */
    static final int PIECE = 128 * 1024;

    private final Posix posix;
    private final DescriptorCache cache;
    private final DescriptorCache.Descriptor descriptor;
    private final Preallocation preallocation;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** How far the backing file is known to be allocated; -1 until first needed. Guarded by this. */
    private long allocatedEnd = -1;

    RawContent(Posix posix, DescriptorCache cache, DescriptorCache.Descriptor descriptor, Preallocation preallocation) {
        this.posix = posix;
        this.cache = cache;
        this.descriptor = descriptor;
        this.preallocation = preallocation;
    }

    /**
     * The backing descriptor, valid for the current call only: {@link HeldContent} holds it open for
     * each call, and between calls it may be closed and later reopened as another number.
     */
    int fd() {
        return descriptor.fd();
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return posix.pread(fd(), dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        reserveFor(offset + src.remaining());
        return pwrite(src, offset);
    }

    /**
     * Backing writes in pieces of at most {@link #PIECE} bytes. A FUSE request carries up to 1 MiB, and a
     * page-cache copy that large runs at a third of the speed of 128 KiB ones here (the copy's source and
     * target no longer fit the CPU's cache together): natively on ext4, 1 MiB pwrites made 0.57 GB/s and
     * 128 KiB ones 1.7 GB/s. Splitting costs one system call per piece and changes nothing a reader sees:
     * a FUSE write was never atomic against concurrent reads.
     */
    int pwrite(ByteBuffer src, long offset) throws IOException {
        int total = src.remaining();
        int start = src.position();
        for (int done = 0; done < total; ) {
            int n = Math.min(PIECE, total - done);
            posix.pwrite(fd(), src.slice(start + done, n), offset + done);
            done += n;
        }
        src.position(start + total);
        return total;
    }

    /** Grows the preallocation (if configured) to cover a write ending at {@code end}; for formats writing around {@link #write}. */
    void reserveFor(long end) throws IOException {
        if (preallocation.extentBytes() > 0) {
            reserve(end);
        }
    }

    /**
     * Allocates up to the extent boundary past {@code end}. Advisory: where the backing filesystem
     * cannot (EOPNOTSUPP) or has no room (ENOSPC), the write itself decides what the caller sees.
     */
    private synchronized void reserve(long end) throws IOException {
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
    public void truncate(long size) throws IOException {
        posix.ftruncate(fd(), size);
    }

    /** The file's id, which {@link #attributes} gives as its inode number. */
    long id() {
        return descriptor.id;
    }

    @Override
    public Stat attributes() throws IOException {
        Stat st = posix.fstat(fd());
        st.ino = descriptor.id;
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
        }
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

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            cache.close(descriptor);
        }
    }
}
