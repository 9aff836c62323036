package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device a block volume owns, through two descriptors. Metadata (superblocks, checkpoints, the
 * journal) goes through the exclusive, buffered one: the page cache gathers the journal's small appends,
 * keeps them across a kill -9 of the daemon, and one fsync writes them and flushes the device's cache.
 * File data goes through the other, with O_DIRECT when {@code use_raw_device} is on, in whole 4 KiB
 * blocks; at most {@code queue_depth} data reads and writes are in flight at once (the rest wait).
 *
 * <p>A regular file may stand in for the device where a test asks for it ({@code allowFile}).
 */
final class Device implements Closeable {
    private static final long BLKGETSIZE64 = 0x80081272L;
    private static final long BLKSSZGET = 0x1268L;
    private static final long BLKDISCARD = 0x1277L;

    final Posix posix;
    final Path path;
    private final int metaFd;
    private final int dataFd;
    private final boolean blockDevice;
    private final long size;
    private final int logicalSector;
    private final Semaphore inFlight;
    /** Writes finished so far (metadata and data): a flush covers those finished before it began. */
    private final AtomicLong writesDone = new AtomicLong();

    private Device(Posix posix, Path path, int metaFd, int dataFd, boolean blockDevice, long size, int logicalSector,
                   int queueDepth) {
        this.posix = posix;
        this.path = path;
        this.metaFd = metaFd;
        this.dataFd = dataFd;
        this.blockDevice = blockDevice;
        this.size = size;
        this.logicalSector = logicalSector;
        this.inFlight = new Semaphore(queueDepth);
    }

    /**
     * Opens {@code path} exclusively: EBUSY when it is mounted or another program holds it (the kernel's
     * exclusive open of block devices), ENOTBLK when it is not a block device and files are not allowed.
     */
    static Device open(Posix posix, Path path, boolean direct, int queueDepth, boolean allowFile) throws PosixException {
        String name = Names.of(path);
        int probe = posix.openat(Flags.AT_FDCWD, name, Flags.O_PATH | Flags.O_CLOEXEC, 0);
        Stat st;
        try {
            st = posix.fstat(probe);
        } finally {
            posix.close(probe);
        }
        int type = st.mode & Flags.S_IFMT;
        boolean blockDevice = type == Flags.S_IFBLK;
        if (!blockDevice && !(allowFile && type == Flags.S_IFREG)) {
            throw new PosixException(Errno.ENOTBLK, "open", name);
        }
        int metaFd = posix.openat(Flags.AT_FDCWD, name, Flags.O_RDWR | Flags.O_CLOEXEC | (blockDevice ? Flags.O_EXCL : 0), 0);
        int dataFd = -1;
        try {
            if (!blockDevice && !posix.tryLockExclusive(metaFd)) {
                throw new PosixException(Errno.EBUSY, "open", name);
            }
            dataFd = posix.openat(Flags.AT_FDCWD, name, Flags.O_RDWR | Flags.O_CLOEXEC | (direct ? Flags.O_DIRECT : 0), 0);
            long size;
            int sector;
            if (blockDevice) {
                ByteBuffer arg = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
                posix.ioctl(metaFd, BLKGETSIZE64, posix.address(arg));
                size = arg.getLong(0);
                posix.ioctl(metaFd, BLKSSZGET, posix.address(arg));
                sector = arg.getInt(0);
            } else {
                size = posix.fstat(metaFd).size;
                sector = 512;
            }
            return new Device(posix, path, metaFd, dataFd, blockDevice, size, sector, queueDepth);
        } catch (PosixException e) {
            if (dataFd >= 0) {
                posix.close(dataFd);
            }
            posix.close(metaFd);
            throw e;
        }
    }

    long size() {
        return size;
    }

    /** The device's logical block size: data I/O must be aligned to it. */
    int logicalSector() {
        return logicalSector;
    }

    boolean isBlockDevice() {
        return blockDevice;
    }

    /** Metadata moves through this buffer, a piece at a time: a checkpoint may be far larger than the direct-memory budget. */
    private final ByteBuffer metaBuffer = ByteBuffer.allocateDirect(1 << 20);

    /** Fills {@code dst} from the metadata at {@code offset}. */
    synchronized void readMeta(ByteBuffer dst, long offset) throws PosixException {
        if (dst.isDirect()) {
            posix.pread(metaFd, dst, offset);
            return;
        }
        while (dst.hasRemaining()) {
            ByteBuffer piece = metaBuffer.clear().limit(Math.min(metaBuffer.capacity(), dst.remaining()));
            int n = posix.pread(metaFd, piece, offset);
            if (n <= 0) {
                throw new PosixException(Errno.EIO, "metadata read past the device's end", Names.of(path));
            }
            dst.put(piece.flip());
            offset += n;
        }
    }

    synchronized void writeMeta(ByteBuffer src, long offset) throws PosixException {
        if (src.isDirect()) {
            posix.pwrite(metaFd, src, offset);
            writesDone.incrementAndGet();
            return;
        }
        while (src.hasRemaining()) {
            int n = Math.min(metaBuffer.capacity(), src.remaining());
            ByteBuffer piece = metaBuffer.clear().put(src.slice(src.position(), n)).flip();
            posix.pwrite(metaFd, piece, offset);
            writesDone.incrementAndGet();
            src.position(src.position() + n);
            offset += n;
        }
    }

    /** How many writes have finished: read before a flush, it names what the flush makes durable. */
    long writesDone() {
        return writesDone.get();
    }

    /** Writes the journal's and checkpoints' cached pages and flushes the device's write cache (data written before included). */
    void flush() throws PosixException {
        posix.fsync(metaFd, true);
    }

    /**
     * Starts writing the metadata's cached pages of a range toward the device without waiting: an fsync
     * that follows finds them written or on their way. A failure here is left for that fsync to report.
     */
    void startWriteback(long offset, long length) {
        try {
            posix.startWriteback(metaFd, offset, length);
        } catch (PosixException e) {
            // the fsync that makes these pages durable writes them again and reports what failed
        }
    }

    /** Reads whole blocks into {@code dst} (aligned, its remaining a multiple of the sector size). */
    void readData(ByteBuffer dst, long offset) throws IOException {
        acquire();
        try {
            int want = dst.remaining();
            int n = posix.pread(dataFd, dst, offset);
            if (n != want) {
                throw new PosixException(Errno.EIO, "read past the device's end", Names.of(path));
            }
        } finally {
            inFlight.release();
        }
    }

    void writeData(ByteBuffer src, long offset) throws IOException {
        acquire();
        try {
            posix.pwrite(dataFd, src, offset);
            writesDone.incrementAndGet();
        } finally {
            inFlight.release();
        }
    }

    /** Tells the device a range no longer holds data (BLKDISCARD; on a file standing in, a punched hole). */
    void discard(long offset, long length) throws PosixException {
        if (blockDevice) {
            ByteBuffer range = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            range.putLong(0, offset).putLong(8, length);
            posix.ioctl(metaFd, BLKDISCARD, posix.address(range));
        } else {
            posix.fallocate(metaFd, Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, offset, length);
        }
    }

    private void acquire() throws PosixException {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PosixException(Errno.EINTR, "device I/O", Names.of(path));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            posix.close(dataFd);
        } finally {
            posix.close(metaFd);
        }
    }
}
