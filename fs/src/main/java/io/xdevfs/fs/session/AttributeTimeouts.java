package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;

import static io.xdevfs.fs.session.Opcodes.CREATE;
import static io.xdevfs.fs.session.Opcodes.GETATTR;
import static io.xdevfs.fs.session.Opcodes.LINK;
import static io.xdevfs.fs.session.Opcodes.LOOKUP;
import static io.xdevfs.fs.session.Opcodes.MKDIR;
import static io.xdevfs.fs.session.Opcodes.MKNOD;
import static io.xdevfs.fs.session.Opcodes.SETATTR;
import static io.xdevfs.fs.session.Opcodes.SYMLINK;

/**
 * Lets the kernel keep attributes for {@code fuse_attr_timeout} where that is coherent, by editing
 * attr_valid in libfuse's replies. The mount asks libfuse2 for attr_timeout=0 because its path API
 * gives every name its own kernel inode: a hard-linked file changed through one name would show stale
 * attributes through the others. A file with one name (and every directory) has one kernel inode,
 * which sees every change made through the mount, so its attributes may be cached; the kernel drops
 * them itself when it changes the file. A stat then costs one request (LOOKUP) instead of two,
 * and a write or read past the cached size no longer asks for the size first. A LINK gives a file a
 * second name: the kernel keeps the attributes it holds for the first name's inode (it only updates
 * their ctime), so they are dropped here ({@link KernelReply#invalidateAttributes}) and asked again,
 * uncached from then on.
 *
 * <p>Each reply is seen on the thread that processed its request. Thread-safe.
 */
public final class AttributeTimeouts implements LargeRequestChannel.RequestHook {
    /** struct fuse_entry_out: nodeid, generation, entry_valid, attr_valid, entry_valid_nsec, attr_valid_nsec, attr. */
    private static final int ENTRY_ATTR_VALID = 24;
    private static final int ENTRY_ATTR_VALID_NSEC = 36;
    private static final int ENTRY_ATTR = 40;
    /** struct fuse_attr_out: attr_valid, attr_valid_nsec, dummy, attr. */
    private static final int ATTR_OUT_VALID = 0;
    private static final int ATTR_OUT_VALID_NSEC = 8;
    private static final int ATTR_OUT_ATTR = 16;
    /** struct fuse_attr: ino, size, blocks, atime, mtime, ctime, atimensec, mtimensec, ctimensec, mode, nlink. */
    private static final int MODE = 60;
    private static final int NLINK = 64;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    private final MemoryIO memory = MemoryIO.getInstance();
    private final long seconds;
    private final int nanos;
    /** The request this thread processes that is answered with attributes: {unique, opcode, fd, linked node}. */
    private final ThreadSlots<long[]> pending = new ThreadSlots<>(() -> new long[4]);

    /** {@code millis}: how long the kernel may trust the attributes of a file with one name; positive. */
    public AttributeTimeouts(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("attribute timeout " + millis + " ms");
        }
        this.seconds = millis / 1000;
        this.nanos = (int) (millis % 1000) * 1_000_000;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        int opcode = memory.getInt(address + 4);
        switch (opcode) {
            case LOOKUP, GETATTR, SETATTR, MKNOD, MKDIR, SYMLINK, LINK, CREATE -> {
                long[] p = pending.get();
                p[0] = memory.getLong(address + 8);
                p[1] = opcode;
                p[2] = fd;
                p[3] = opcode == LINK && length >= LargeRequestChannel.IN_HEADER + 8
                        ? memory.getLong(address + LargeRequestChannel.IN_HEADER) : 0; // fuse_link_in.oldnodeid
            }
            default -> {
                // answered without attributes
            }
        }
        return false;
    }

    @Override
    public void replying(long iov, int count) {
        long[] p = pending.get();
        long unique = p[0];
        if (unique == 0) {
            return;
        }
        int opcode = (int) p[1];
        p[0] = 0;
        if (!KernelReply.answers(memory, iov, count, unique)) {
            return; // another reply (its request was answered by a hook), or an error
        }
        if (opcode == LINK && p[3] != 0) {
            KernelReply.invalidateAttributes((int) p[2], p[3]);
        }
        long arg = KernelReply.argument(memory, iov);
        long argLength = KernelReply.argumentLength(memory, iov);
        boolean attrOut = opcode == GETATTR || opcode == SETATTR;
        long attr = arg + (attrOut ? ATTR_OUT_ATTR : ENTRY_ATTR);
        if (argLength < (attr - arg) + NLINK + 4 || (!attrOut && memory.getLong(arg) == 0)) {
            return; // too short to be what we know, or a negative entry (nodeid 0)
        }
        if (!coherent(memory.getInt(attr + MODE), memory.getInt(attr + NLINK))) {
            return;
        }
        memory.putLong(arg + (attrOut ? ATTR_OUT_VALID : ENTRY_ATTR_VALID), seconds);
        memory.putInt(arg + (attrOut ? ATTR_OUT_VALID_NSEC : ENTRY_ATTR_VALID_NSEC), nanos);
    }

    /** Whether one kernel inode sees every change of this file: a directory, or anything with one name (or none). */
    static boolean coherent(int mode, int nlink) {
        return (mode & S_IFMT) == S_IFDIR || Integer.compareUnsigned(nlink, 1) <= 0;
    }
}
