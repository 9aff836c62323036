package io.xdevfs.tiers.format;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;
import java.nio.ByteBuffer;

/** {@code storage_type = direct}: backing files open with O_DIRECT ({@link DirectContent}). */
public final class DirectFormat implements ContentFormat {
    /** Large enough for a FUSE request (128 KiB) and its two edge blocks in one transfer. */
    private static final int TRANSFER = 512 * 1024;

    private final Posix posix;
    private final AlignedBuffers buffers;

    public DirectFormat(Posix posix, int alignment) {
        this.posix = posix;
        this.buffers = new AlignedBuffers(alignment, TRANSFER);
    }

    /**
     * O_DIRECT, and never write-only or append: an unaligned write reads its edge blocks, and an
     * O_APPEND write would land at an unaligned end of file, which O_DIRECT refuses.
     */
    @Override
    public int backingFlags(int flags) {
        int access = flags & Flags.O_ACCMODE;
        int rest = flags & ~(Flags.O_ACCMODE | Flags.O_APPEND);
        return rest | Flags.O_DIRECT | (access == Flags.O_RDONLY ? Flags.O_RDONLY : Flags.O_RDWR);
    }

    @Override
    public Content wrap(BackingFile backing, OpenFiles.Entry open, int flags) {
        return new DirectContent(backing, buffers, open.lock, (flags & Flags.O_APPEND) != 0);
    }

    /** The alignment to use: {@code configured}, or when 0 the backing filesystem's block size. */
    public static int alignmentFor(Posix posix, int baseFd, int configured) throws PosixException {
        return configured > 0 ? configured : (int) posix.fstatvfs(baseFd).blockSize();
    }

    /**
     * Writes and reads one aligned block through an unnamed O_DIRECT file in the base directory, so
     * that a backing filesystem refusing O_DIRECT, or an alignment below the device's, fails the mount
     * with the reason instead of every later write with EINVAL. A filesystem too full for the block
     * passes: the write tells nothing of O_DIRECT then, and the files already there must stay reachable.
     *
     * @return null when O_DIRECT works, else the reason
     */
    public static String probe(Posix posix, int baseFd, int alignment) {
        int fd;
        try {
            fd = posix.openat(baseFd, ".", Flags.O_TMPFILE | Flags.O_RDWR | Flags.O_DIRECT, 0600);
        } catch (PosixException e) {
            if (e.errno() == Errno.EINVAL) {
                return "the base directory's filesystem refuses O_DIRECT (open: EINVAL); use storage_type = regular there";
            }
            return null; // no O_TMPFILE here: the first real open will tell
        }
        try {
            ByteBuffer block = ByteBuffer.allocateDirect(2 * alignment).alignedSlice(alignment).limit(alignment);
            posix.pwrite(fd, block, 0);
            posix.preadOnce(fd, block.clear().limit(alignment), 0);
            return null;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOSPC || e.errno() == Errno.EDQUOT) {
                return null; // a full filesystem says nothing of O_DIRECT, and must not keep its files from being mounted
            }
            return e.errno() == Errno.EINVAL
                    ? "io_alignment " + alignment + " is not accepted for O_DIRECT here (EINVAL): use a multiple "
                    + "of the device's logical block size"
                    : "O_DIRECT probe failed: errno " + e.errno();
        } finally {
            try {
                posix.close(fd);
            } catch (PosixException ignored) {
                // the probe's result stands
            }
        }
    }
}
