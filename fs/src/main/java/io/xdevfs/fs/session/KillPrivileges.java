package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.io.IOException;

import static io.xdevfs.fs.session.Opcodes.OPEN;
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
 * <p>The kernel sets the kill flag only for callers without CAP_FSETID. A write names its handle, so
 * the bits are cleared here, before libfuse writes; a truncate or an O_TRUNC open is marked for the
 * callback on this thread ({@link #takePending}), which knows the file.
 */
public final class KillPrivileges implements LargeRequestChannel.RequestHook {
    private static final int BODY = LargeRequestChannel.IN_HEADER;
    /** fuse_write_in: fh, offset, size, write_flags. */
    private static final int WRITE_FLAGS = 20;
    private static final int FUSE_WRITE_KILL_SUIDGID = 1 << 2;
    /** fuse_setattr_in.valid. */
    private static final int FATTR_KILL_SUIDGID = 1 << 11;
    /** fuse_open_in: flags, open_flags. */
    private static final int OPEN_FLAGS = 4;
    private static final int FUSE_OPEN_KILL_SUIDGID = 1;
    private static final int S_ISUID = 04000;
    private static final int S_ISGID = 02000;
    private static final int S_IXGRP = 00010;

    private final Handles handles;
    private final MemoryIO memory = MemoryIO.getInstance();
    /** Whether the SETATTR or OPEN this thread processes asks the callback to clear set-ID bits. */
    private final ThreadLocal<boolean[]> pending = ThreadLocal.withInitial(() -> new boolean[1]);

    public KillPrivileges(Handles handles) {
        this.handles = handles;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        switch (memory.getInt(address + 4)) {
            case WRITE -> {
                if (length >= BODY + WRITE_FLAGS + 4
                        && (memory.getInt(address + BODY + WRITE_FLAGS) & FUSE_WRITE_KILL_SUIDGID) != 0) {
                    clear(handles.find(memory.getLong(address + BODY)));
                }
            }
            case SETATTR -> pending.get()[0] = length >= BODY + 4
                    && (memory.getInt(address + BODY) & FATTR_KILL_SUIDGID) != 0;
            case OPEN -> pending.get()[0] = length >= BODY + OPEN_FLAGS + 4
                    && (memory.getInt(address + BODY + OPEN_FLAGS) & FUSE_OPEN_KILL_SUIDGID) != 0;
            default -> {
                // not ours
            }
        }
        return false;
    }

    /** Whether this thread's truncate or open must clear set-ID bits ({@link #clear}); asks once. */
    public boolean takePending() {
        boolean[] p = pending.get();
        boolean kill = p[0];
        p[0] = false;
        return kill;
    }

    /** The mode after an unprivileged write: no set-user-ID, no set-group-ID where group execute is set. */
    public static int cleared(int mode) {
        int bits = S_ISUID | ((mode & S_IXGRP) != 0 ? S_ISGID : 0);
        return mode & ~bits;
    }

    /** Clears the set-ID bits of an open file, if it has any to clear. */
    public static void clear(Content open) {
        if (open == null) {
            return;
        }
        try {
            Stat st = open.attributes();
            int mode = cleared(st.mode);
            if (mode != st.mode) {
                open.changeMetadata(new MetadataChange.Mode(mode & 07777));
            }
        } catch (IOException | RuntimeException e) {
            Log.warn("clearing set-ID bits after an unprivileged write failed: " + e.getMessage());
        }
    }
}
