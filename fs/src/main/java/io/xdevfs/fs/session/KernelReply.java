package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A reply written straight to /dev/fuse, for the requests xdevfs answers before libfuse (RequestHook). */
final class KernelReply {
    /** struct fuse_out_header: len, error, unique. */
    static final int OUT_HEADER = 16;
    /** enum fuse_notify_code, sent in the error field of a message with unique 0. */
    private static final int FUSE_NOTIFY_INVAL_INODE = 2;
    private static final int FUSE_NOTIFY_INVAL_ENTRY = 3;

    private KernelReply() {
    }

    /** Room for the largest body answered here (fuse_attr_out, 104 bytes) and the header. */
    private static final int REUSED = 128;
    /**
     * One reply buffer per request thread: WRITE, FSYNC and RELEASE answers would otherwise each allocate
     * a direct buffer (and a cleaner) on the data path. A thread fills and sends one reply at a time.
     */
    private static final ThreadSlots<ByteBuffer> BUFFERS =
            new ThreadSlots<>(() -> ByteBuffer.allocateDirect(REUSED).order(ByteOrder.nativeOrder()));

    /**
     * This thread's buffer for a successful reply with {@code bodySize} bytes of body, the header left to
     * {@link #send}; valid until the thread's next call.
     */
    static ByteBuffer body(int bodySize) {
        ByteBuffer out = OUT_HEADER + bodySize <= REUSED ? BUFFERS.get().clear()
                : ByteBuffer.allocateDirect(OUT_HEADER + bodySize).order(ByteOrder.nativeOrder());
        return out.limit(OUT_HEADER + bodySize).position(OUT_HEADER);
    }

    /**
     * Sends {@code reply} (from {@link #body}, filled) as the answer to request {@code unique}. A reply the
     * kernel refuses (a malformed header: EINVAL, and the kernel keeps the request) is followed by EIO for
     * the same request, since its caller waits until it is answered: a program sees an I/O error, not a
     * hang.
     */
    static void send(int fd, long unique, ByteBuffer reply) {
        send(Posix.get(), fd, unique, reply);
    }

    static void send(Posix posix, int fd, long unique, ByteBuffer reply) {
        reply.putInt(0, reply.position()).putInt(4, 0).putLong(8, unique);
        if (!write(posix, fd, reply.flip())) {
            Log.warn("the kernel refused the answer to request " + unique + " (" + reply.limit()
                    + " bytes); answering it EIO");
            error(posix, fd, unique, Errno.EIO);
        }
    }

    /** Sends an error answer: {@code errno} positive. */
    static void error(int fd, long unique, int errno) {
        error(Posix.get(), fd, unique, errno);
    }

    private static void error(Posix posix, int fd, long unique, int errno) {
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_HEADER).order(ByteOrder.nativeOrder());
        out.putInt(OUT_HEADER).putInt(-errno).putLong(unique);
        write(posix, fd, out.flip());
    }

    /**
     * FUSE_NOTIFY_INVAL_INODE with a negative offset: the kernel drops the node's cached attributes (not
     * its pages), so its next stat asks the daemon. A node the kernel no longer holds is skipped.
     */
    static void invalidateAttributes(int fd, long node) {
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_HEADER + 24).order(ByteOrder.nativeOrder());
        out.putInt(OUT_HEADER + 24).putInt(FUSE_NOTIFY_INVAL_INODE).putLong(0).putLong(node).putLong(-1).putLong(0);
        write(Posix.get(), fd, out.flip());
    }

    /**
     * FUSE_NOTIFY_INVAL_ENTRY: the kernel forgets the name {@code name} in directory node {@code parent},
     * so that its next use looks it up afresh. The kernel takes the directory's lock for it: never to be
     * sent from a thread whose reply the holder of that lock is waiting for.
     */
    static void invalidateEntry(int fd, long parent, byte[] name) {
        int size = OUT_HEADER + 16 + name.length + 1;
        ByteBuffer out = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        out.putInt(size).putInt(FUSE_NOTIFY_INVAL_ENTRY).putLong(0).putLong(parent).putInt(name.length).putInt(0)
                .put(name).put((byte) 0);
        write(Posix.get(), fd, out.flip());
    }

    /**
     * Whether a reply libfuse sends ({@code count} iovecs at {@code iov}: header, then argument) is the
     * successful answer to request {@code unique}. A hook that noted a request asks this of the next
     * reply on its thread: the request may have been answered by another hook, without libfuse.
     */
    static boolean answers(MemoryIO memory, long iov, int count, long unique) {
        if (count < 2) {
            return false;
        }
        long header = memory.getAddress(iov);
        return memory.getLong(header + 8) == unique && memory.getInt(header + 4) == 0;
    }

    /** The address of such a reply's argument (its second iovec). */
    static long argument(MemoryIO memory, long iov) {
        return memory.getAddress(iov + 16);
    }

    /** The length of such a reply's argument. */
    static long argumentLength(MemoryIO memory, long iov) {
        return memory.getLong(iov + 24);
    }

    /** False when the kernel refused the message; true when it took it or no one waits for an answer. */
    private static boolean write(Posix posix, int fd, ByteBuffer message) {
        try {
            posix.writeMessage(fd, message);
            return true;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT) {
                return true; // the caller was interrupted and gave up
            }
            Log.warn("answering the kernel failed: " + e.getMessage());
            return e.errno() == Errno.ENODEV; // the connection is gone (unmounted): so are the callers
        }
    }
}
