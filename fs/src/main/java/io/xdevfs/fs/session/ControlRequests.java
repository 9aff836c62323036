package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * GETXATTR of the mount root's read-only control attributes (user.xdevfs.stats, .stats.text,
 * .health), answered on a thread of their own. Rendering the statistics takes a millisecond or more
 * (every operation's histogram, gauges that read /proc; rarely called code runs interpreted), and on
 * the request thread every FSYNC that arrived meanwhile waited for it: a monitor polling the stats
 * five times a second put a WAL writer's fdatasync p99 at the render time (docs/benchmarks.md,
 * "Statistics on the request thread"). The kernel matches answers to requests by their unique id, in
 * any order, and has already checked the caller's permission to read the root's attributes.
 * Other names (and every setxattr, such as user.xdevfs.reset) stay libfuse's.
 */
public final class ControlRequests implements LargeRequestChannel.RequestHook {
    static final int FUSE_GETXATTR = 22;
    private static final long FUSE_ROOT_ID = 1;
    /** struct fuse_getxattr_in: size, padding; the name follows, NUL-terminated. */
    private static final int GETXATTR_IN = 8;

    /** The value of a control attribute, or a PosixException (ENODATA: metrics off). */
    @FunctionalInterface
    public interface Values {
        byte[] get(String name) throws PosixException;
    }

    private final Set<String> names;
    private final Values values;
    private final int longestName;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-control");
        t.setDaemon(true);
        return t;
    });

    public ControlRequests(Set<String> names, Values values) {
        this.names = Set.copyOf(names);
        this.values = values;
        this.longestName = names.stream().mapToInt(String::length).max().orElse(0);
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, FUSE_GETXATTR, GETXATTR_IN)
                || memory.getLong(address + 16) != FUSE_ROOT_ID) {
            return false;
        }
        String name = name(address + LargeRequestChannel.IN_HEADER + GETXATTR_IN,
                length - LargeRequestChannel.IN_HEADER - GETXATTR_IN);
        if (name == null || !names.contains(name)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        int size = memory.getInt(address + LargeRequestChannel.IN_HEADER);
        try {
            thread.execute(() -> reply(fd, unique, size, name));
        } catch (RejectedExecutionException e) {
            return false; // unmounting: libfuse answers it as before
        }
        return true;
    }

    /** The NUL-terminated name at {@code at} if it is short enough to be one of ours; null otherwise. */
    private String name(long at, int room) {
        int n = 0;
        while (n < room && n <= longestName && memory.getByte(at + n) != 0) {
            n++;
        }
        if (n == room || n > longestName) {
            return null;
        }
        byte[] bytes = new byte[n];
        memory.getByteArray(at, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** getxattr's answer: the size when asked for it (size 0), ERANGE when it does not fit, else the value. */
    private void reply(int fd, long unique, int size, String name) {
        byte[] value;
        try {
            value = values.get(name);
        } catch (PosixException e) {
            KernelReply.error(fd, unique, e.errno());
            return;
        } catch (Throwable e) { // answered, whatever failed: the caller would otherwise wait for ever
            Log.warn("reading " + name + " failed: " + e);
            KernelReply.error(fd, unique, Errno.EIO);
            return;
        }
        if (size == 0) {
            KernelReply.send(fd, unique, KernelReply.body(8).putInt(value.length).putInt(0)); // fuse_getxattr_out
        } else if (size < value.length) {
            KernelReply.error(fd, unique, Errno.ERANGE);
        } else {
            ByteBuffer out = KernelReply.body(value.length);
            KernelReply.send(fd, unique, out.put(value));
        }
    }

    /** Unmount: requests already handed over are answered; none are taken after. */
    public void close() {
        thread.shutdown();
    }
}
