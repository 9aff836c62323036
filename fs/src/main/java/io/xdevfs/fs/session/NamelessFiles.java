package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Errors;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Names;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.nio.ByteBuffer;

import static io.xdevfs.fs.session.Opcodes.GETXATTR;
import static io.xdevfs.fs.session.Opcodes.LISTXATTR;
import static io.xdevfs.fs.session.Opcodes.REMOVEXATTR;
import static io.xdevfs.fs.session.Opcodes.SETXATTR;
import static io.xdevfs.fs.session.Opcodes.STATFS;

/**
 * Makes fstatfs, fgetxattr, fsetxattr, flistxattr and fremovexattr of an open file work after it was
 * unlinked, as on ext4. The kernel's requests for them name the node and no handle, and libfuse2 looks
 * the node's name up first: an unlinked file has none, so they failed with ENOENT or ESTALE. That also
 * failed glibc's posix_fallocate on such a file where fallocate(2) is not supported (its emulation
 * asks fstatfs first), and the kernel's own {@code security.capability} lookups for such a file.
 *
 * <p>STATFS is about the whole mount ({@link io.xdevfs.tiers.Volume#statfs} has no path): every one is
 * sent to libfuse as about the root, whose name it always has. The four attribute requests of a node
 * that has a handle open ({@link OpenNodes}) and no name left are answered here through that handle
 * (only with {@code enable_xattr}); a file with a name is left to libfuse, which reaches it by its path
 * as before. Thread-safe.
 */
public final class NamelessFiles implements LargeRequestChannel.RequestHook {
    private static final int BODY = LargeRequestChannel.IN_HEADER;
    /** struct fuse_getxattr_in {size, padding} and struct fuse_setxattr_in {size, flags}: the name follows. */
    private static final int XATTR_IN = 8;
    /** struct fuse_getxattr_out {size, padding}: the answer to a size query. */
    private static final int GETXATTR_OUT = 8;
    /** The size query's buffer: no room, so the call answers the length it needs. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    /** FUSE_ROOT_ID: the node of the mount's root. */
    private static final long ROOT = 1;

    private final MemoryIO memory = MemoryIO.getInstance();
    private final OpenNodes openNodes;
    private final Handles handles;
    private final boolean xattrs;

    public NamelessFiles(OpenNodes openNodes, Handles handles, boolean xattrs) {
        this.openNodes = openNodes;
        this.handles = handles;
        this.xattrs = xattrs;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        int opcode = memory.getInt(address + 4);
        if (opcode == STATFS) {
            memory.putLong(address + 16, ROOT);
            return false;
        }
        if (!xattrs || opcode != GETXATTR && opcode != SETXATTR && opcode != LISTXATTR && opcode != REMOVEXATTR) {
            return false;
        }
        Content open = unnamed(memory.getLong(address + 16));
        if (open == null) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        try {
            switch (opcode) {
                case GETXATTR -> {
                    String name = name(address + BODY + XATTR_IN, address + length);
                    int size = memory.getInt(address + BODY);
                    sizedAnswer(fd, unique, size, value -> open.getxattr(name, value));
                }
                case LISTXATTR -> sizedAnswer(fd, unique, memory.getInt(address + BODY), open::listxattr);
                case SETXATTR -> {
                    long nameAt = address + BODY + XATTR_IN;
                    int nameLength = nameLength(nameAt, address + length);
                    String name = name(nameAt, nameLength);
                    int size = memory.getInt(address + BODY);
                    long valueAt = nameAt + nameLength + 1;
                    if (size < 0 || valueAt + size > address + length) {
                        KernelReply.error(fd, unique, Errno.EINVAL);
                        return true;
                    }
                    byte[] value = new byte[size];
                    memory.getByteArray(valueAt, value, 0, size);
                    open.changeMetadata(new MetadataChange.SetXattr(name, value, memory.getInt(address + BODY + 4)));
                    KernelReply.send(fd, unique, KernelReply.body(0));
                }
                default -> {
                    open.changeMetadata(new MetadataChange.RemoveXattr(name(address + BODY, address + length)));
                    KernelReply.send(fd, unique, KernelReply.body(0));
                }
            }
        } catch (Throwable t) {
            KernelReply.error(fd, unique, -Errors.toErrno("xattr", open, t));
        }
        return true;
    }

    /** The open content of {@code node} when the node has a handle and the file no name; else null. */
    private Content unnamed(long node) {
        Long fh = openNodes.anyHandle(node);
        Content open = fh == null ? null : handles.find(fh);
        if (open == null) {
            return null;
        }
        try {
            return open.attributes().nlink == 0 ? open : null;
        } catch (Throwable t) {
            return null; // libfuse answers, as for any other file
        }
    }

    private interface Fill {
        int fill(ByteBuffer into) throws java.io.IOException;
    }

    /** getxattr and listxattr: a size query (0) is answered with fuse_getxattr_out, else with the bytes. */
    private static void sizedAnswer(int fd, long unique, int size, Fill fill) throws java.io.IOException {
        if (size == 0) {
            int needed = fill.fill(EMPTY);
            ByteBuffer reply = KernelReply.body(GETXATTR_OUT);
            reply.putInt(needed).putInt(0);
            KernelReply.send(fd, unique, reply);
            return;
        }
        ByteBuffer reply = KernelReply.body(size);
        int n = fill.fill(reply); // fills from the reply's position on, at most its remaining bytes
        reply.position(KernelReply.OUT_HEADER + n);
        KernelReply.send(fd, unique, reply);
    }

    /** The NUL-terminated name at {@code at}, within the request (which ends at {@code end}). */
    private String name(long at, long end) {
        return name(at, nameLength(at, end));
    }

    private String name(long at, int length) {
        byte[] bytes = new byte[length];
        memory.getByteArray(at, bytes, 0, length);
        return Names.ofBytes(bytes); // as libfuse's path calls get names: one char per byte
    }

    /** The bytes before the name's NUL (or the request's end). */
    private int nameLength(long at, long end) {
        int n = 0;
        while (at + n < end && memory.getByte(at + n) != 0) {
            n++;
        }
        return n;
    }
}
