package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Errno;

import io.xdevfs.tiers.Content;

import java.nio.ByteBuffer;

import static io.xdevfs.fs.session.Opcodes.WRITE;

/**
 * WRITE answered before libfuse sees it: the request names its handle and carries its bytes, which is
 * all a write needs. libfuse2's path API would first build the file's path under its node-table lock,
 * then cross into Java through jnr-fuse's wrappers, and its reply would cross once more for the hooks
 * that look at replies. Writes that reach the daemon at all are the ones it must see (the compressed,
 * sparse, block and logged types, files under observation): for a WAL on those types this and FSYNC
 * ({@link SyncRequests}) are the daemon's whole share of a commit.
 *
 * <p>Answered on the thread that read the request, in the order requests come, as libfuse did.
 */
public final class WriteRequests implements LargeRequestChannel.RequestHook {
    /** struct fuse_write_in: fh, offset, size, write_flags, lock_owner, flags, padding; the bytes follow. */
    static final int WRITE_IN = 40;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();

    public WriteRequests(Handles handles) {
        this.handles = handles;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, WRITE, WRITE_IN)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        long in = address + LargeRequestChannel.IN_HEADER;
        long fh = memory.getLong(in);
        long offset = memory.getLong(in + 8);
        int size = memory.getInt(in + 16);
        if (size < 0 || LargeRequestChannel.IN_HEADER + WRITE_IN + (long) size > length) {
            KernelReply.error(fd, unique, Errno.EINVAL); // the kernel never sends this
            return true;
        }
        int written;
        Content open = null;
        try {
            ByteBuffer bytes = memory.newDirectByteBuffer(in + WRITE_IN, size);
            open = handles.get(fh);
            // fuse_write_in: fh, offset, size, write_flags at 20, lock_owner, flags (the descriptor's now) at 32
            written = open.write(bytes, AppendOffsets.of(open, offset, memory.getInt(in + 20), memory.getInt(in + 32)));
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("write", open, t));
            return true;
        }
        KernelReply.send(fd, unique, KernelReply.body(8).putInt(written).putInt(0)); // struct fuse_write_out
        return true;
    }
}
