package io.xdevfs.fs.session;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A libfuse2 channel on the mount's /dev/fuse descriptor with buffers for {@code bufferSize}-byte
 * requests, whose INIT reply {@link InitReply} rewrites. libfuse's own channel reads into 132 KiB
 * buffers and cannot be resized, so it is replaced, as libfuse2's fuse_chan_new allows.
 *
 * <p>Destroy and receive stay libfuse's functions, but {@link RequestLoop} reads requests through
 * {@link #read} instead, which offers each to a {@link RequestHook}: libfuse2 predates some requests the
 * kernel sends (FUSE_LSEEK), and answers them ENOSYS; the hook answers those itself. Send is ours only until the
 * first reply: it puts libfuse's send back before writing that reply, so no reply after INIT crosses
 * into Java, except to a hook that asks to see replies ({@link RequestHook#replying}), which sees each
 * one before libfuse's send writes it. The layout of struct fuse_chan (ops, session, fd, bufsize; libfuse 2.6 to 2.9) is checked
 * against libfuse's accessors before anything is written into it.
 */
public final class LargeRequestChannel {
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

    /** struct fuse_chan_ops' send after INIT, with addresses as numbers (no wrapper objects per reply). */
    public interface ReplySend {
        @Delegate
        int send(@intptr_t long channel, @intptr_t long iov, @size_t long count);
    }

    /** Answers some requests before libfuse sees them, and may look at libfuse's replies. */
    public interface RequestHook {
        /** True when the request at {@code address} ({@code length} bytes) was answered on {@code fd}. */
        boolean answer(int fd, long address, int length);

        /** Runs on a request thread just before it reads the next request (it may block there). */
        default void beforeRead(int fd) {
        }

        /** Sees each reply libfuse sends after INIT ({@code count} iovecs at {@code iov}), before it goes. */
        default void replying(long iov, int count) {
        }

        /**
         * After {@link #replying}: true when the hook has answered the request on {@code fd} itself instead,
         * so that libfuse's reply is not sent.
         */
        default boolean replaceReply(int fd, long iov, int count) {
            return false;
        }

        /** What the INIT reply asks of the kernel beyond large requests. */
        default InitReply.Asks asks() {
            return InitReply.Asks.NOTHING;
        }
    }

    /** send's C signature: int (struct fuse_chan *, const struct iovec *, size_t). */
    private static final CallContext CHANNEL_OP_CALL = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER, Type.POINTER, Type.ULONG}, CallingConvention.DEFAULT, false);

    private final Posix posix = Posix.get();
    private final int fd;
    private final long libfuseSend;
    private final AtomicBoolean initSeen = new AtomicBoolean();
    /** Held for the session's life: native code calls it through its address. */
    private final Send send = this::send;
    private final Pointer channel;
    private final RequestHook hook;
    /** Held for the session's life, as {@link #send}. */
    private final ReplySend replySend = this::replySend;

    private LargeRequestChannel(LibFuse2 lib, Pointer kernelChannel, int fd, long bufferSize,
                                RequestHook hook) {
        this.fd = fd;
        this.hook = hook;
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
    public static LargeRequestChannel replace(LibFuse2 lib, Pointer session, long bufferSize) {
        return replace(lib, session, bufferSize, null);
    }

    public static LargeRequestChannel replace(LibFuse2 lib, Pointer session, long bufferSize, RequestHook hook) {
        Pointer kernelChannel = lib.fuse_session_next_chan(session, null);
        if (kernelChannel == null) {
            return null;
        }
        int fd = lib.fuse_chan_fd(kernelChannel);
        if (kernelChannel.getInt(FD) != fd || kernelChannel.getLong(BUFSIZE) != lib.fuse_chan_bufsize(kernelChannel)) {
            return null;
        }
        LargeRequestChannel large = new LargeRequestChannel(lib, kernelChannel, fd, bufferSize, hook);
        if (large.channel == null) {
            return null;
        }
        lib.fuse_session_remove_chan(kernelChannel);
        lib.fuse_session_add_chan(session, large.channel);
        Posix.get().free(kernelChannel.address());
        return large;
    }

    /**
     * Reads the next request into {@code buf}, as libfuse2's receive does (fuse_kern_chan_receive), with
     * the hook's work before the read and its look at the request after: the request's length; 0 when the
     * mount is gone; -EINTR for a request the hook answered, or a read to retry; another -errno for an
     * error that ends the session. Touches none of libfuse's memory, so a read that returns after the
     * session was torn down is harmless.
     */
    int read(long buf, long size) {
        if (hook != null) {
            try {
                hook.beforeRead(fd);
            } catch (Throwable t) {
                Log.error("work before reading a request failed", t);
            }
        }
        int n;
        while (true) {
            try {
                n = posix.readMessage(fd, buf, (int) Math.min(size, Integer.MAX_VALUE));
                break;
            } catch (PosixException e) {
                switch (e.errno()) {
                    case Errno.ENOENT:
                        continue; // the request was interrupted before it was read
                    case Errno.ENODEV:
                        return 0; // unmounted
                    case Errno.ECONNABORTED:
                        // The connection ended under a read: fusermount -u right after thousands of closes gave
                        // this instead of ENODEV about one time in three, as does an abort through
                        // /sys/fs/fuse/connections. The mount is gone either way.
                        Log.info("the kernel ended the FUSE connection (ECONNABORTED): the mount is gone");
                        return 0;
                    case Errno.EINTR:
                    case Errno.EAGAIN:
                        return -e.errno();
                    default:
                        Log.error("reading the FUSE device failed", e);
                        return -e.errno();
                }
            }
        }
        if (n < IN_HEADER) {
            Log.error("a short read on the FUSE device: " + n + " bytes", null);
            return -Errno.EIO;
        }
        try {
            if (hook != null && hook.answer(fd, buf, n)) {
                return -Errno.EINTR;
            }
        } catch (Throwable t) {
            Log.error("answering a request before libfuse failed; libfuse answers it", t);
        }
        return n;
    }

    /**
     * The hook sees the reply, then libfuse's own send writes it, unless the hook answered instead.
     * libfuse's "no reply" (FORGET's) is a send of no iovec at all, with a null array: not shown to the hook.
     */
    private int replySend(long channel, long iov, long count) {
        try {
            if (iov != 0 && count > 0) {
                hook.replying(iov, (int) count);
                if (hook.replaceReply(fd, iov, (int) count)) {
                    return 0;
                }
            }
        } catch (Throwable t) {
            Log.error("looking at a reply failed; it is sent unchanged", t);
        }
        return (int) Invoker.getInstance().invokeN3(CHANNEL_OP_CALL, libfuseSend, channel, iov, count);
    }

    /** struct fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, padding. */
    static final int IN_HEADER = 40;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** Whether the request at {@code address} ({@code length} bytes) is {@code opcode} with a body of at least {@code body} bytes. */
    static boolean is(long address, int length, int opcode, int body) {
        return MEMORY.getInt(address + 4) == opcode && length >= IN_HEADER + body;
    }

    /** The request's unique id, which its answer names. */
    static long unique(long address) {
        return MEMORY.getLong(address + 8);
    }

    /** Answers a request: the first, INIT, extended ({@link InitReply}); one that raced the swap, unchanged. */
    private int send(Pointer ch, Pointer iov, long count) {
        try {
            ch.putAddress(SEND, hook == null ? libfuseSend
                    : Runtime.getSystemRuntime().getClosureManager().getClosurePointer(ReplySend.class, replySend).address());
            InitReply.Patched patched = count == 2 && !initSeen.getAndSet(true)
                    ? InitReply.extend(view(iov, 0), view(iov, 1), posix.pageSize(),
                    hook == null ? InitReply.Asks.NOTHING : hook.asks()) : null;
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
