package io.xdevfs.fs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A libfuse2 channel on the mount's /dev/fuse descriptor with buffers for {@code bufferSize}-byte
 * requests, whose INIT reply {@link InitReply} rewrites. libfuse's own channel reads into 132 KiB
 * buffers and cannot be resized, so it is replaced, as libfuse2's fuse_chan_new allows.
 *
 * <p>Receive and destroy stay libfuse's functions. Send is ours only until the first reply: it puts
 * libfuse's send back before writing that reply, so no request after INIT crosses into Java to be
 * answered. The layout of struct fuse_chan (ops, session, fd, bufsize; libfuse 2.6 to 2.9) is checked
 * against libfuse's accessors before anything is written into it.
 */
final class LargeRequestChannel {
    /** struct fuse_chan_ops { receive, send, destroy } opens struct fuse_chan; then session, fd, bufsize. */
    private static final int RECEIVE = 0;
    private static final int SEND = 8;
    private static final int DESTROY = 16;
    private static final int OPS_SIZE = 24;
    private static final int FD = 32;
    private static final int BUFSIZE = 40;

    /** struct fuse_chan_ops' send. */
    public interface Send {
        @Delegate
        int send(Pointer channel, Pointer iov, long count);
    }

    private final Posix posix = Posix.get();
    private final int fd;
    private final long libfuseSend;
    private final AtomicBoolean initSeen = new AtomicBoolean();
    /** Held for the session's life: native code calls it through its address. */
    private final Send send = this::send;
    private final Pointer channel;

    private LargeRequestChannel(LibFuse2 lib, Pointer kernelChannel, int fd, long bufferSize) {
        this.fd = fd;
        this.libfuseSend = kernelChannel.getAddress(SEND);
        Runtime runtime = Runtime.getSystemRuntime();
        Pointer ops = Memory.allocateDirect(runtime, OPS_SIZE);
        ops.putAddress(RECEIVE, kernelChannel.getAddress(RECEIVE));
        ops.putAddress(SEND, runtime.getClosureManager().getClosurePointer(Send.class, send).address());
        ops.putAddress(DESTROY, kernelChannel.getAddress(DESTROY));
        this.channel = lib.fuse_chan_new(ops, fd, bufferSize, null);
    }

    /**
     * Puts a new channel in place of the one libfuse's {@code session} reads from (whose struct is
     * freed, its descriptor kept); must run before the session's loop starts. Returns null, and changes
     * nothing, when libfuse's layout is not the known one or the channel cannot be made.
     */
    static LargeRequestChannel replace(LibFuse2 lib, Pointer session, long bufferSize) {
        Pointer kernelChannel = lib.fuse_session_next_chan(session, null);
        if (kernelChannel == null) {
            return null;
        }
        int fd = lib.fuse_chan_fd(kernelChannel);
        if (kernelChannel.getInt(FD) != fd || kernelChannel.getLong(BUFSIZE) != lib.fuse_chan_bufsize(kernelChannel)) {
            return null;
        }
        LargeRequestChannel large = new LargeRequestChannel(lib, kernelChannel, fd, bufferSize);
        if (large.channel == null) {
            return null;
        }
        lib.fuse_session_remove_chan(kernelChannel);
        lib.fuse_session_add_chan(session, large.channel);
        Posix.get().free(kernelChannel.address());
        return large;
    }

    /** Answers a request: the first, INIT, extended ({@link InitReply}); one that raced the swap, unchanged. */
    private int send(Pointer ch, Pointer iov, long count) {
        try {
            ch.putAddress(SEND, libfuseSend);
            InitReply.Patched patched = count == 2 && !initSeen.getAndSet(true)
                    ? InitReply.extend(view(iov, 0), view(iov, 1), posix.pageSize()) : null;
            if (patched != null) {
                Log.info("FUSE requests carry up to " + patched.maxPages() * (long) posix.pageSize() / 1024
                        + " KiB (FUSE_MAX_PAGES " + patched.maxPages() + ")");
            }
            posix.writeMessage(fd, patched != null ? patched.message() : gather(iov, (int) count));
            return 0;
        } catch (PosixException e) {
            return -e.errno();
        } catch (Throwable t) {
            Log.error("answering the kernel failed", t);
            return -Errno.EIO;
        }
    }

    /** struct iovec: base, len. */
    private ByteBuffer view(Pointer iov, int i) {
        return posix.memoryView(iov.getAddress(16L * i), (int) iov.getLong(16L * i + 8));
    }

    private ByteBuffer gather(Pointer iov, int count) {
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += (int) iov.getLong(16L * i + 8);
        }
        ByteBuffer message = ByteBuffer.allocateDirect(total);
        for (int i = 0; i < count; i++) {
            message.put(view(iov, i));
        }
        return message.flip();
    }
}
