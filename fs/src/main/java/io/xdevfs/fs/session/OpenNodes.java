package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.xdevfs.fs.session.Opcodes.CREATE;
import static io.xdevfs.fs.session.Opcodes.FALLOCATE;
import static io.xdevfs.fs.session.Opcodes.FLUSH;
import static io.xdevfs.fs.session.Opcodes.FSYNC;
import static io.xdevfs.fs.session.Opcodes.GETATTR;
import static io.xdevfs.fs.session.Opcodes.OPEN;
import static io.xdevfs.fs.session.Opcodes.READ;
import static io.xdevfs.fs.session.Opcodes.RELEASE;
import static io.xdevfs.fs.session.Opcodes.SETATTR;
import static io.xdevfs.fs.session.Opcodes.WRITE;

/**
 * Makes fstat, fchmod, fchown and futimens of an open file work after it was unlinked. The kernel's
 * GETATTR and SETATTR for them name the node but no handle, and libfuse2 looks the node's name up
 * first: an unlinked file has none, so the answer was ENOENT. This hook remembers a handle open on each
 * node (from the requests that carry both, from the OPEN this thread processes, and from libfuse's
 * replies to CREATE, which name the new node). It adds that handle to a GETATTR, as the kernel does for
 * its own reads; libfuse then asks fgetattr of the handle, which answers from the open file
 * (st_nlink 0 once unlinked, as ext4 says). A SETATTR of mode, owner or times of a file without a
 * name, which libfuse2 would look up by name even with a handle, it answers itself through the handle.
 *
 * <p>With the writeback cache the kernel writes a file's ctime back itself right after an UNLINK or a
 * RENAME over it (a SETATTR of the times alone); when that file is open nowhere it has neither a handle
 * nor, in libfuse2, a name, and libfuse's ENOENT was kept by the kernel as a write-back error of the
 * whole mount (the next syncfs(2) failed). The file is gone, so there is nothing to set: that answer is
 * replaced by success, with attributes of a deleted regular file that the kernel keeps for no time.
 *
 * <p>Requests are edited in place before libfuse reads them. Thread-safe.
 */
public final class OpenNodes implements LargeRequestChannel.RequestHook {
    /** sizeof(struct fuse_entry_out): the CREATE reply is entry_out (nodeid first) then open_out (fh first). */
    private static final int ENTRY_OUT = 128;
    /** fuse_setattr_in.valid: fh is valid. */
    private static final int FATTR_FH = 1 << 6;
    private static final int FATTR_SIZE = 1 << 3;
    private static final int FATTR_KILL_SUIDGID = 1 << 11;
    private static final int FATTR_LOCKOWNER = 1 << 9;
    private static final int FATTR_CTIME = 1 << 10;
    /** What the kernel's own write-back of a file's times sets: mtime and ctime, maybe naming a handle. */
    private static final int TIMES_WRITTEN_BACK = SetattrIn.FATTR_MTIME | FATTR_CTIME | FATTR_FH | FATTR_LOCKOWNER;
    private static final int S_IFREG = 0100000;
    /** sizeof(struct fuse_setattr_in), sizeof(struct fuse_attr_out). */
    private static final int SETATTR_IN = 88;
    private static final int ATTR_OUT = 104;
    /** fuse_getattr_in.getattr_flags: fh is valid. */
    private static final int FUSE_GETATTR_FH = 1;
    private static final int BODY = LargeRequestChannel.IN_HEADER;

    private final MemoryIO memory = MemoryIO.getInstance();
    /**
     * A node's id to the handles open on it. All of them, not one: RELEASE comes asynchronously, so with
     * several dispatch threads a file's next OPEN may be processed before its last RELEASE, and the one
     * remembered handle would then be forgotten while the new one is open.
     */
    private final Map<Long, Set<Long>> handlesOfNode = new ConcurrentHashMap<>();
    /** The node of the OPEN request this thread is processing, for {@link #opened}; 0 for none. */
    private final ThreadSlots<long[]> openingNode = new ThreadSlots<>(() -> new long[1]);
    private final Handles handles;
    /** The unique id of the CREATE this thread processes, until its reply; 0 for none. */
    private final ThreadSlots<long[]> creating = new ThreadSlots<>(() -> new long[1]);
    /** A times write-back this thread passed to libfuse: {unique, mtime s, ns, ctime s, ns}; unique 0 for none. */
    private final ThreadSlots<long[]> timesWrittenBack = new ThreadSlots<>(() -> new long[5]);

    public OpenNodes(Handles handles) {
        this.handles = handles;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        int opcode = memory.getInt(address + 4);
        long node = memory.getLong(address + 16);
        switch (opcode) {
            case OPEN -> openingNode.get()[0] = node;
            case CREATE -> creating.get()[0] = memory.getLong(address + 8); // the new node's id is in the reply
            case READ, WRITE, FSYNC, FLUSH, FALLOCATE -> {
                if (length >= BODY + 8) {
                    remember(node, memory.getLong(address + BODY)); // fh opens each body
                }
            }
            case RELEASE -> {
                if (length >= BODY + 8) {
                    long fh = memory.getLong(address + BODY);
                    handlesOfNode.computeIfPresent(node, (n, open) -> open.remove(fh) && open.isEmpty() ? null : open);
                }
            }
            case GETATTR -> addHandle(address, length, node, FUSE_GETATTR_FH);
            case SETATTR -> {
                if (length < BODY + SETATTR_IN) {
                    return false;
                }
                if (answerUnnamedSetattr(fd, address, node)) {
                    return true;
                }
                noteTimesWrittenBack(address);
                return false;
            }
            default -> {
                // not ours to look at
            }
        }
        return false;
    }

    /**
     * GETATTR and SETATTR bodies both open with a flags word and carry fh at byte 8: where the flag is
     * clear and a handle is open on the node, sets both. Returns the handle added, or 0.
     */
    private long addHandle(long address, int length, long node, int flag) {
        if (length < BODY + 16 || (memory.getInt(address + BODY) & flag) != 0) {
            return 0;
        }
        Long fh = anyHandle(node);
        if (fh == null) {
            return 0;
        }
        memory.putLong(address + BODY + 8, fh);
        memory.putInt(address + BODY, memory.getInt(address + BODY) | flag);
        return fh;
    }

    /**
     * fchmod, fchown, futimens and ftruncate of an open file without a name: applied through its
     * handle, answered with its attributes. libfuse2 would look the name up for every change but the
     * size, and fail; with the writeback cache the kernel adds times to an ftruncate and sets them when
     * such a file is closed. Everything on a file that still has a name is left to libfuse.
     */
    private boolean answerUnnamedSetattr(int fd, long address, long node) {
        int valid = memory.getInt(address + BODY);
        Long fh = (valid & FATTR_FH) != 0 ? Long.valueOf(memory.getLong(address + BODY + 8))
                : (valid & FATTR_SIZE) != 0 ? null : anyHandle(node); // truncate(2) has a name
        Content open = fh == null ? null : handles.find(fh);
        if (open == null) {
            return false;
        }
        try {
            if (open.attributes().nlink != 0) {
                return false;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Closed by a RELEASE on another dispatch thread since it was found (a chmod right after a
            // close, with --dispatch multi, failed EBADF so): the request goes by its name, as without it.
            return false;
        }
        long unique = memory.getLong(address + 8);
        try {
            if ((valid & FATTR_SIZE) != 0) {
                open.truncate(memory.getLong(address + BODY + 16));
            }
            if ((valid & FATTR_KILL_SUIDGID) != 0) {
                KillPrivileges.clear(open); // set only under FUSE_HANDLE_KILLPRIV_V2
            }
            for (MetadataChange change : SetattrIn.changes(memory, address + BODY)) {
                open.changeMetadata(change);
            }
            ByteBuffer reply = KernelReply.body(ATTR_OUT);
            SetattrIn.putAttrOut(reply, open.attributes());
            KernelReply.send(fd, unique, reply);
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("setattr", open, t));
        }
        return true;
    }

    private void noteTimesWrittenBack(long address) {
        int valid = memory.getInt(address + BODY);
        long[] slot = timesWrittenBack.get();
        if ((valid & ~TIMES_WRITTEN_BACK) != 0 || (valid & (SetattrIn.FATTR_MTIME | FATTR_CTIME)) == 0) {
            slot[0] = 0;
            return;
        }
        slot[0] = memory.getLong(address + 8);
        slot[1] = memory.getLong(address + BODY + 40);
        slot[2] = memory.getInt(address + BODY + 60) & 0xffffffffL;
        slot[3] = memory.getLong(address + BODY + 48);
        slot[4] = memory.getInt(address + BODY + 64) & 0xffffffffL;
    }

    /** A times write-back that libfuse failed for want of a name: answered as done (see the class comment). */
    @Override
    public boolean replaceReply(int fd, long iov, int count) {
        long[] slot = timesWrittenBack.get();
        long unique = slot[0];
        if (unique == 0) {
            return false;
        }
        slot[0] = 0;
        long header = memory.getAddress(iov);
        int error = memory.getInt(header + 4);
        if (memory.getLong(header + 8) != unique || (error != -Errno.ENOENT && error != -Errno.ESTALE)) {
            return false;
        }
        Stat gone = new Stat();
        gone.mode = S_IFREG;
        gone.mtimeSec = slot[1];
        gone.mtimeNsec = slot[2];
        gone.ctimeSec = slot[3];
        gone.ctimeNsec = slot[4];
        ByteBuffer reply = KernelReply.body(ATTR_OUT);
        SetattrIn.putAttrOut(reply, gone);
        KernelReply.send(fd, unique, reply);
        return true;
    }

    /** A created file's node and handle, from libfuse's CREATE reply (header, then entry_out + open_out). */
    @Override
    public void replying(long iov, int count) {
        long[] create = creating.get();
        if (create[0] == 0) {
            return;
        }
        long unique = create[0];
        create[0] = 0;
        if (!KernelReply.answers(memory, iov, count, unique)
                || KernelReply.argumentLength(memory, iov) < ENTRY_OUT + 8) {
            return; // not the CREATE's reply, an error, or not the layout of entry_out + open_out
        }
        long arg = KernelReply.argument(memory, iov);
        remember(memory.getLong(arg), memory.getLong(arg + ENTRY_OUT));
    }

    private void remember(long node, long fh) {
        Set<Long> known = handlesOfNode.get(node);
        if (known != null && known.contains(fh)) {
            return; // every read and write passes here: no allocation for a handle already known
        }
        handlesOfNode.compute(node, (n, open) -> {
            Set<Long> handles = open != null ? open : ConcurrentHashMap.newKeySet();
            handles.add(fh);
            return handles;
        });
    }

    /** A handle open on the node, or null. */
    Long anyHandle(long node) {
        Set<Long> open = handlesOfNode.get(node);
        if (open != null) {
            for (Long fh : open) {
                return fh;
            }
        }
        return null;
    }

    /** Called by open (on the thread processing the OPEN request) with the handle it made. */
    public void opened(long fh) {
        long[] node = openingNode.get();
        if (node[0] != 0) {
            remember(node[0], fh);
            node[0] = 0;
        }
    }
}
