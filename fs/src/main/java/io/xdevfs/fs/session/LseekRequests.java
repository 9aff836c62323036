package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Errno;

/**
 * FUSE_LSEEK (SEEK_DATA and SEEK_HOLE), which libfuse2 does not know: without an answer the kernel
 * decides that all of every file is data, and cp --sparse, tar -S and the like lose the holes. The
 * request names the open handle, so the answer comes from that file's
 * {@link io.xdevfs.tiers.Content#seek}: the backing file's own holes for the types whose bytes are the
 * backing file's, "all data" for compressed files.
 *
 * <p>Not with the writeback cache: the kernel sends FUSE_LSEEK without first writing its dirty pages,
 * so the daemon's file may be shorter than the program's (SEEK_DATA and SEEK_HOLE answered ENXIO before
 * the end the program sees) or have holes where the kernel holds data (a sparse copy would skip them).
 * Answered ENOSYS there, the kernel stops asking and answers from its own size: everything is data.
 */
public final class LseekRequests implements LargeRequestChannel.RequestHook {
    static final int FUSE_LSEEK = 46;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** struct fuse_lseek_in: fh, offset, whence, padding. */
    private static final int LSEEK_IN = 24;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final boolean writebackCache;

    public LseekRequests(Handles handles, boolean writebackCache) {
        this.handles = handles;
        this.writebackCache = writebackCache;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, FUSE_LSEEK, LSEEK_IN)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        if (writebackCache) {
            KernelReply.error(fd, unique, Errno.ENOSYS);
            return true;
        }
        long fh = memory.getLong(address + LargeRequestChannel.IN_HEADER);
        long offset = memory.getLong(address + LargeRequestChannel.IN_HEADER + 8);
        int whence = memory.getInt(address + LargeRequestChannel.IN_HEADER + 16);
        reply(fd, unique, seek(fh, offset, whence));
        return true;
    }

    /** The new offset, or a negative errno. */
    long seek(long fh, long offset, int whence) {
        if (whence != SEEK_DATA && whence != SEEK_HOLE) {
            return -Errno.EINVAL; // the kernel handles SEEK_SET, SEEK_CUR and SEEK_END itself
        }
        try {
            return handles.get(fh).seek(offset, whence == SEEK_DATA);
        } catch (Throwable t) {
            return Errors.toErrno("lseek", handles.find(fh), t);
        }
    }

    private static void reply(int fd, long unique, long result) {
        if (result < 0) {
            KernelReply.error(fd, unique, (int) -result);
            return;
        }
        KernelReply.send(fd, unique, KernelReply.body(8).putLong(result)); // struct fuse_lseek_out
    }
}
