package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.SetIdBits;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.xdevfs.fs.session.Opcodes.OPEN;
import static io.xdevfs.fs.session.Opcodes.RELEASE;
import static io.xdevfs.fs.session.Opcodes.SETATTR;
import static io.xdevfs.fs.session.Opcodes.WRITE;

/**
 * FUSE_HANDLE_KILLPRIV_V2: the daemon, not the kernel, clears set-user-ID and set-group-ID bits when
 * an unprivileged caller writes, truncates or opens with O_TRUNC. In return the kernel marks the mount
 * SB_NOSEC, so it stops asking GETXATTR("security.capability") before every write of a file that has
 * none: that lookup was a second round trip per write, half the requests of small writes. (Removing a
 * security.capability attribute on write still goes through the kernel: it asks for it once per
 * inode and sends REMOVEXATTR when there is one.)
 *
 * <p>The kernel sets the kill flag on every write of a caller without CAP_FSETID (a database's
 * user), whatever the file's mode. A write names its handle, so the bits are cleared here, before
 * libfuse writes; a handle found with nothing to clear is remembered until its release or the next
 * mode change through the mount, so such a writer costs one look at the mode per handle, not per
 * write. A truncate or an O_TRUNC open is marked for the callback on this thread
 * ({@link #takePending}), which knows the file.
 */
public final class KillPrivileges implements LargeRequestChannel.RequestHook {
    private static final int BODY = LargeRequestChannel.IN_HEADER;
    /** fuse_write_in: fh, offset, size, write_flags. */
    private static final int WRITE_FLAGS = 20;
    private static final int FUSE_WRITE_KILL_SUIDGID = 1 << 2;
    /** fuse_setattr_in.valid. */
    private static final int FATTR_MODE = 1;
    private static final int FATTR_KILL_SUIDGID = 1 << 11;
    /** fuse_open_in: flags, open_flags. */
    private static final int OPEN_FLAGS = 4;
    private static final int FUSE_OPEN_KILL_SUIDGID = 1;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();
    /** The SETATTR or OPEN this thread processes, when it asks the callback to clear set-ID bits: {1, fd, node}. */
    private final ThreadSlots<long[]> pending = new ThreadSlots<>(() -> new long[3]);
    /** Counts mode changes through the mount: a handle's clean look holds until the next one. */
    private final AtomicLong modeChanges = new AtomicLong();
    /** Handles seen with no set-ID bit to clear, and the {@link #modeChanges} they were seen at. */
    private final Map<Long, Long> cleanAt = new ConcurrentHashMap<>();

    public KillPrivileges(Handles handles) {
        this.handles = handles;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        switch (memory.getInt(address + 4)) {
            case WRITE -> {
                if (length >= BODY + WRITE_FLAGS + 4
                        && (memory.getInt(address + BODY + WRITE_FLAGS) & FUSE_WRITE_KILL_SUIDGID) != 0) {
                    beforeWrite(fd, memory.getLong(address + 16), memory.getLong(address + BODY));
                }
            }
            case SETATTR -> {
                int valid = length >= BODY + 4 ? memory.getInt(address + BODY) : 0;
                if ((valid & FATTR_MODE) != 0) {
                    modeChanged();
                }
                setPending(fd, address, (valid & FATTR_KILL_SUIDGID) != 0);
            }
            case RELEASE -> {
                if (length >= BODY + 8) {
                    cleanAt.remove(memory.getLong(address + BODY));
                }
            }
            case OPEN -> setPending(fd, address, length >= BODY + OPEN_FLAGS + 4
                    && (memory.getInt(address + BODY + OPEN_FLAGS) & FUSE_OPEN_KILL_SUIDGID) != 0);
            default -> {
                // not ours
            }
        }
        return false;
    }

    private void setPending(int fd, long address, boolean kill) {
        long[] p = pending.get();
        p[0] = kill ? 1 : 0;
        p[1] = fd;
        p[2] = memory.getLong(address + 16);
    }

    /** An unprivileged write through handle {@code fh}: clears set-ID bits unless the handle was seen clean. */
    private void beforeWrite(int fd, long node, long fh) {
        long changes = modeChanges.get();
        Long seen = cleanAt.get(fh);
        if (seen != null && seen == changes) {
            return;
        }
        Outcome outcome = clear(handles.find(fh));
        if (outcome != Outcome.FAILED) {
            cleanAt.put(fh, changes); // as of before the look: a mode change since makes the next write look again
        }
        if (outcome == Outcome.CLEARED) {
            KernelReply.invalidateAttributes(fd, node); // no reply of a WRITE tells the kernel the new mode
        }
    }

    /**
     * A mode change through the mount: counted when its request arrives and again once applied, so a
     * write that looked at the mode in between looks again.
     */
    public void modeChanged() {
        modeChanges.incrementAndGet();
    }

    /**
     * Clears the set-ID bits of {@code open} if this thread's truncate or open asks for it (once); then
     * has the kernel drop the node's cached attributes (an OPEN's reply carries none).
     */
    public void clearIfAsked(Content open) {
        long[] p = pending.get();
        if (take(p) && clear(open) == Outcome.CLEARED) {
            KernelReply.invalidateAttributes((int) p[1], p[2]);
        }
    }

    /** Whether this thread's truncate or open must clear set-ID bits; asks once. */
    public boolean takePending() {
        return take(pending.get());
    }

    private static boolean take(long[] p) {
        boolean kill = p[0] != 0;
        p[0] = 0;
        return kill;
    }

    /** The mode after an unprivileged write: no set-user-ID, no set-group-ID where group execute is set. */
    public static int cleared(int mode) {
        return SetIdBits.afterUnprivilegedWrite(mode);
    }

    /** What {@link #clear} did: cleared set-ID bits, found none to clear, or failed (logged). */
    public enum Outcome { CLEARED, CLEAN, FAILED }

    /** Clears the set-ID bits of an open file, if it has any to clear. */
    public static Outcome clear(Content open) {
        if (open == null) {
            return Outcome.FAILED;
        }
        try {
            Stat st = open.attributes();
            int mode = cleared(st.mode);
            if (mode == st.mode) {
                return Outcome.CLEAN;
            }
            open.changeMetadata(new MetadataChange.Mode(mode & 07777));
            return Outcome.CLEARED;
        } catch (IOException | RuntimeException e) {
            Log.warn("clearing set-ID bits after an unprivileged write failed: " + e.getMessage());
            return Outcome.FAILED;
        }
    }
}
