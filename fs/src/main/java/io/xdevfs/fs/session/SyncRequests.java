package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;

import static io.xdevfs.fs.session.Opcodes.FSYNC;

/**
 * FSYNC answered before libfuse sees it. The request names its handle, and the handle is all a sync
 * needs; libfuse2's path API would first build the file's path under its node-table lock and cross
 * into Java through jnr-fuse's wrappers. For a WAL writer that syncs after every append, and whose
 * writes go to the backing file without the daemon (passthrough), this request is the daemon's whole
 * share of a commit.
 */
public final class SyncRequests implements LargeRequestChannel.RequestHook {
    /** struct fuse_fsync_in: fh, fsync_flags (bit 0: data only). */
    private static final int FSYNC_IN = 16;
    private static final int FUSE_FSYNC_FDATASYNC = 1;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();

    public SyncRequests(Handles handles) {
        this.handles = handles;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (memory.getInt(address + 4) != FSYNC || length < LargeRequestChannel.IN_HEADER + FSYNC_IN) {
            return false;
        }
        long unique = memory.getLong(address + 8);
        long fh = memory.getLong(address + LargeRequestChannel.IN_HEADER);
        boolean dataOnly = (memory.getInt(address + LargeRequestChannel.IN_HEADER + 8) & FUSE_FSYNC_FDATASYNC) != 0;
        try {
            handles.get(fh).sync(dataOnly);
            KernelReply.send(fd, unique, KernelReply.body(0));
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("fsync", null, t));
        }
        return true;
    }
}
