package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.Errno;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static io.xdevfs.fs.session.Opcodes.ACCESS;
import static io.xdevfs.fs.session.Opcodes.GETATTR;
import static io.xdevfs.fs.session.Opcodes.GETXATTR;
import static io.xdevfs.fs.session.Opcodes.LISTXATTR;
import static io.xdevfs.fs.session.Opcodes.OPEN;
import static io.xdevfs.fs.session.Opcodes.OPENDIR;
import static io.xdevfs.fs.session.Opcodes.READLINK;
import static io.xdevfs.fs.session.Opcodes.REMOVEXATTR;
import static io.xdevfs.fs.session.Opcodes.SETATTR;
import static io.xdevfs.fs.session.Opcodes.SETXATTR;

/**
 * An OPEN, or a GETATTR or SETATTR of a path (not of an open file), or a READLINK, ACCESS, OPENDIR or
 * extended-attribute request, that libfuse answers ENOENT goes back to the kernel as ESTALE, and the
 * kernel walks the path again: open(2), stat(2), chmod(2), readlink(2), getxattr(2) and the others,
 * and the path walk's own permission checks, retry once with LOOKUP_REVAL, which sends a fresh LOOKUP.
 *
 * <p>Why: {@code rename(tmp, name)} over a file races with a program that opens or stats {@code name}.
 * The kernel resolves the name to the old file's node from its cache; if the RENAME is served before
 * that node's OPEN or GETATTR, libfuse2 has dropped the node's name and cannot build its path, and the
 * call failed with ENOENT, which ext4 never gives there (it finds the old file or the new one). Walked
 * again, the name leads to the new file: as if the call had come after the rename. A name that is
 * really gone (a file deleted in the base directory behind the mount) still ends in ENOENT, from the
 * second walk's LOOKUP. fstat keeps its ENOENT: a descriptor is not walked again. The kernel walks
 * again only once: if the same caller's request fails so again right after, the name was replaced or
 * removed once more meanwhile, and that answer stays ENOENT, which a program expects of a file that
 * went away, rather than ESTALE, which it does not expect of a local filesystem.
 *
 * <p>An exchange (renameat2 RENAME_EXCHANGE, {@link RenameFlags}) leaves a node without a name in
 * libfuse2 too, the second file under the first name, until the kernel forgets that name right after
 * the answer: a request that reaches the node in between is walked again the same way. (The extended
 * attribute calls on a descriptor, f*xattr, send the same requests as those on a path: a file that was
 * unlinked while open is answered through its handle by {@link NamelessFiles} before this.)
 *
 * <p>libfuse answers a request from the thread that processes it, so the request and its reply meet
 * in a per-thread slot, as in {@link PassthroughOpens}. Thread-safe.
 */
public final class StaleNodes implements LargeRequestChannel.RequestHook {
    /** fuse_getattr_in.getattr_flags: the kernel asks about an open file (fstat), naming its handle. */
    private static final int FUSE_GETATTR_FH = 1;

    /** fuse_setattr_in.valid: the kernel names an open file's handle (ftruncate, fchmod and the like). */
    private static final int FATTR_FH = 1 << 3;

    /** fuse_in_header.pid: the calling thread. */
    private static final int PID = 32;
    /**
     * Longer than the kernel takes to walk again; short enough that a later race of the same caller
     * (whose stat, walked again, may end without a request of its own: the LOOKUP brings attributes)
     * is walked again too.
     */
    private static final long RETRY_NANOS = 50_000_000L;
    /** Callers that were just told to walk again: more are forgotten (the map only guards one retry each). */
    private static final int MAX_REMEMBERED = 4096;

    private final MemoryIO memory = MemoryIO.getInstance();
    /** The request by path this thread processes: {unique, caller, opcode}; unique 0 for another request. */
    private final ThreadSlots<long[]> asking = new ThreadSlots<>(() -> new long[3]);
    /** Caller to when its request was answered ESTALE (System.nanoTime). */
    private final Map<Long, Long> walkingAgain = new ConcurrentHashMap<>();
    private final LongAdder walkedAgain = new LongAdder();

    /** Only looks: notes the unique of a request whose ENOENT a second walk may turn around. */
    @Override
    public boolean answer(int fd, long address, int length) {
        int opcode = memory.getInt(address + 4);
        boolean byPath = switch (opcode) {
            case OPEN, READLINK, ACCESS, OPENDIR, SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR -> true;
            case GETATTR -> length >= LargeRequestChannel.IN_HEADER + 4
                    && (memory.getInt(address + LargeRequestChannel.IN_HEADER) & FUSE_GETATTR_FH) == 0;
            case SETATTR -> length >= LargeRequestChannel.IN_HEADER + 4
                    && (memory.getInt(address + LargeRequestChannel.IN_HEADER) & FATTR_FH) == 0;
            default -> false;
        };
        long[] slot = asking.get();
        slot[0] = byPath ? LargeRequestChannel.unique(address) : 0;
        if (byPath) { // every request passes here, WRITEs among them: only these need their caller
            slot[1] = memory.getInt(address + PID) & 0xffffffffL;
            slot[2] = opcode;
        }
        return false;
    }

    @Override
    public void replying(long iov, int count) {
        long[] slot = asking.get();
        long unique = slot[0];
        if (unique == 0) {
            return;
        }
        slot[0] = 0;
        long header = memory.getAddress(iov);
        if (memory.getLong(header + 8) != unique) {
            return; // another reply: its request was answered by a hook
        }
        int error = memory.getInt(header + 4);
        if (error != -Errno.ENOENT) {
            if (error == 0 && slot[2] == OPEN) {
                walkingAgain.remove(slot[1]); // an open ends a walk: the walk again, if this was it, found a file
            }
            return;
        }
        long now = System.nanoTime();
        Long told = walkingAgain.remove(slot[1]);
        if (told != null && now - told < RETRY_NANOS) {
            return; // the walk again failed too: ENOENT, as for a file that went away
        }
        if (walkingAgain.size() >= MAX_REMEMBERED) {
            walkingAgain.clear();
        }
        walkingAgain.put(slot[1], now);
        memory.putInt(header + 4, -Errno.ESTALE);
        walkedAgain.increment();
    }

    /** Requests sent back to the kernel to walk their path again, since the mount. */
    public long walkedAgain() {
        return walkedAgain.sum();
    }
}
