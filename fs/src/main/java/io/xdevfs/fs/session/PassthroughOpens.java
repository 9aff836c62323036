package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import static io.xdevfs.fs.session.Opcodes.CREATE;
import static io.xdevfs.fs.session.Opcodes.INIT;
import static io.xdevfs.fs.session.Opcodes.OPEN;

/**
 * FUSE passthrough (Linux 6.9+, CAP_SYS_ADMIN): a file whose bytes are a plain backing file
 * ({@link Content#passThrough}) is opened so that the kernel reads, writes and maps that
 * backing file itself; the daemon still answers open, release, fsync, getattr, setattr (truncate),
 * fallocate and lseek. The backing file is registered with the kernel (FUSE_DEV_IOC_BACKING_OPEN on
 * /dev/fuse) and its id put into libfuse's OPEN or CREATE reply with FOPEN_PASSTHROUGH.
 *
 * <p>The kernel's rules, per kernel inode (libfuse2 gives each name its own): every open of an inode
 * that is open in passthrough must name the same registration, and an inode open through the page
 * cache cannot also be open in passthrough. So each node is in one mode at a time, decided by its
 * first open and kept while any handle of it is open; its registration is closed when the last one is
 * released. The kernel forgets a released file before it sends RELEASE, so the counts here are never
 * below the kernel's and the mode given never conflicts. An open that cannot be registered (the
 * kernel refuses, a backing file that cannot be opened read-write) gets the page cache, without
 * keep_cache, so no page cached before a passthrough period is trusted after it.
 *
 * <p>Requests and replies of one OPEN or CREATE are seen on the thread that processes it (libfuse
 * answers from the callback's thread). Thread-safe.
 */
public final class PassthroughOpens implements LargeRequestChannel.RequestHook {
    private static final int BODY = LargeRequestChannel.IN_HEADER;
    /** fuse_init_in: major, minor, max_readahead, flags, flags2 (7.36+). */
    private static final int INIT_FLAGS2 = 16;
    private static final int FUSE_PASSTHROUGH_FLAGS2 = 1 << 5;
    /** sizeof(struct fuse_entry_out): a CREATE reply is entry_out (nodeid first) then open_out. */
    private static final int ENTRY_OUT = 128;
    /** struct fuse_open_out: fh, open_flags, backing_id (libfuse2's padding, zeroed). */
    private static final int OPEN_OUT = 16;
    private static final int OPEN_FLAGS = 8;
    private static final int BACKING_ID = 12;
    private static final int FOPEN_KEEP_CACHE = 1 << 1;
    private static final int FOPEN_PASSTHROUGH = 1 << 7;
    /** _IOW(229, 1, struct fuse_backing_map { s32 fd; u32 flags; u64 padding; }). */
    static final long FUSE_DEV_IOC_BACKING_OPEN = 0x4010E501L;
    /** _IOW(229, 2, u32 backing_id). */
    static final long FUSE_DEV_IOC_BACKING_CLOSE = 0x4004E502L;

    /** One kernel node's mode: open in passthrough through {@code backingId}, or through the page cache. */
    private static final class Node {
        final int backingId;
        int handles;

        Node(int backingId) {
            this.backingId = backingId;
        }
    }

    private final Handles handles;
    private final boolean wanted;
    private final OpenedAttributes openedAttributes;
    private final Posix posix = Posix.get();
    private final MemoryIO memory = MemoryIO.getInstance();
    /** Guarded by this: kernel node id to its mode, and each counted handle to its node. */
    private final Map<Long, Node> nodes = new HashMap<>();
    private final Map<Long, Long> nodeOfHandle = new HashMap<>();
    /** The OPEN or CREATE this thread processes: {unique, node (0 for CREATE: the reply names it)}. */
    private final ThreadSlots<long[]> opening = new ThreadSlots<>(() -> new long[2]);
    private final LongAdder passthroughOpens = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile int fuseFd = -1;
    private volatile boolean on;

    /** {@code wanted}: the mount asks the kernel for passthrough (it may not have it). */
    public PassthroughOpens(Handles handles, boolean wanted, OpenedAttributes openedAttributes) {
        this.handles = handles;
        this.wanted = wanted;
        this.openedAttributes = openedAttributes;
    }

    /** Whether files are opened in passthrough on this mount (asked for, and the kernel offered it). */
    public boolean active() {
        return on;
    }

    /** Opens given to the kernel in passthrough since the mount. */
    public long passthroughOpens() {
        return passthroughOpens.sum();
    }

    /** Opens of files that could be passed through but were refused a registration and went through the daemon. */
    public long refusedRegistrations() {
        return refused.sum();
    }

    /** Kernel nodes open in passthrough right now. */
    public synchronized int passthroughNodes() {
        int n = 0;
        for (Node node : nodes.values()) {
            n += node.backingId > 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!wanted) {
            return false;
        }
        int opcode = memory.getInt(address + 4);
        switch (opcode) {
            case INIT -> init(fd, address, length);
            case OPEN -> set(opening.get(), memory.getLong(address + 8), memory.getLong(address + 16));
            case CREATE -> set(opening.get(), memory.getLong(address + 8), 0);
            default -> {
                // not ours
            }
        }
        return false;
    }

    private void init(int fd, long address, int length) {
        fuseFd = fd;
        boolean offered = length >= BODY + INIT_FLAGS2 + 4
                && (memory.getInt(address + BODY + INIT_FLAGS2) & FUSE_PASSTHROUGH_FLAGS2) != 0;
        on = offered;
        if (offered) {
            Log.info("FUSE passthrough on: the kernel reads and writes plain backing files itself");
        } else {
            Log.warn("fuse_passthrough: this kernel does not offer FUSE passthrough (Linux 6.9+ built with "
                    + "CONFIG_FUSE_PASSTHROUGH); every read and write goes through the daemon");
        }
    }

    private static void set(long[] slot, long unique, long node) {
        slot[0] = unique;
        slot[1] = node;
    }

    /** libfuse's reply to this thread's OPEN or CREATE: decides the node's mode and edits open_out to say it. */
    @Override
    public void replying(long iov, int count) {
        long[] slot = opening.get();
        long unique = slot[0];
        if (unique == 0) {
            return;
        }
        long node = slot[1];
        set(slot, 0, 0);
        if (!on || !KernelReply.answers(memory, iov, count, unique)) {
            return; // another reply, or the open failed: nothing was counted
        }
        long arg = KernelReply.argument(memory, iov);
        long argLength = KernelReply.argumentLength(memory, iov);
        long openOut = arg;
        if (node == 0) {
            if (argLength < ENTRY_OUT + OPEN_OUT) {
                return;
            }
            node = memory.getLong(arg);
            openOut = arg + ENTRY_OUT;
        } else if (argLength < OPEN_OUT) {
            return;
        }
        long fh = memory.getLong(openOut);
        int flags = memory.getInt(openOut + OPEN_FLAGS);
        int backingId = modeFor(node, fh);
        if (backingId > 0) {
            memory.putInt(openOut + OPEN_FLAGS, (flags | FOPEN_PASSTHROUGH) & ~FOPEN_KEEP_CACHE);
            memory.putInt(openOut + BACKING_ID, backingId);
            passthroughOpens.increment();
        } else if (backingId < 0) {
            memory.putInt(openOut + OPEN_FLAGS, flags & ~FOPEN_KEEP_CACHE);
        }
    }

    /**
     * The node's registration for handle {@code fh} (counted until its RELEASE); 0 for an open through
     * the page cache, -1 for one that could have been passed through but was refused.
     */
    private synchronized int modeFor(long node, long fh) {
        Node mode = nodes.get(node);
        int result;
        if (mode == null) {
            int id = register(fh, handles.find(fh));
            mode = new Node(Math.max(id, 0));
            nodes.put(node, mode);
            result = id;
        } else {
            result = mode.backingId;
        }
        mode.handles++;
        nodeOfHandle.put(fh, node);
        return result;
    }

    /** A new registration of the content's backing file; 0 for content that must see its I/O, -1 when refused. */
    private int register(long fh, Content content) {
        if (content == null || hasSetIdBits(fh, content)) {
            return 0;
        }
        try {
            return Math.max(0, content.passThrough(this::backingOpen));
        } catch (IOException | RuntimeException e) {
            refused.increment();
            Log.warn("passthrough: the kernel was not given the backing file (" + e.getMessage() + "); it is served by the daemon");
            return -1;
        }
    }

    /** FUSE_DEV_IOC_BACKING_OPEN: the kernel takes its own reference to the open file; its backing id. */
    private int backingOpen(int fd) throws PosixException {
        long map = memory.allocateMemory(16, true);
        try {
            memory.putInt(map, fd);
            return posix.ioctl(fuseFd, FUSE_DEV_IOC_BACKING_OPEN, map);
        } finally {
            memory.freeMemory(map);
        }
    }

    /**
     * A set-ID file is served by the daemon: a passthrough write would not clear its bits (the kernel
     * leaves that to the daemon under FUSE_HANDLE_KILLPRIV_V2, and the write never reaches it).
     */
    private boolean hasSetIdBits(long fh, Content content) {
        try {
            Stat opened = openedAttributes.of(fh);
            int mode = opened != null ? opened.mode : content.attributes().mode;
            return KillPrivileges.cleared(mode) != mode;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /**
     * The kernel released handle {@code fh} ({@link ReleaseRequests}): uncounts it, and closes its node's
     * registration with its last handle. True when the handle was open in passthrough.
     */
    synchronized boolean released(long fh) {
        Long node = nodeOfHandle.remove(fh);
        if (node == null) {
            return false;
        }
        Node mode = nodes.get(node);
        boolean passedThrough = mode.backingId > 0;
        if (--mode.handles > 0) {
            return passedThrough;
        }
        nodes.remove(node);
        if (mode.backingId > 0) {
            long id = memory.allocateMemory(4, true);
            try {
                memory.putInt(id, mode.backingId);
                posix.ioctl(fuseFd, FUSE_DEV_IOC_BACKING_CLOSE, id);
            } catch (PosixException e) {
                Log.warn("passthrough: closing backing id " + mode.backingId + " failed (errno " + e.errno() + ")");
            } finally {
                memory.freeMemory(id);
            }
        }
        return passedThrough;
    }
}
