package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;

/**
 * renameat2(RENAME_NOREPLACE), which libfuse2's API lacks: its rename has no flags, and it answers the
 * kernel's RENAME2 with ENOSYS, which programs see as EINVAL (ext4 and tmpfs do it, and programs that
 * must not replace a name use it: coreutils' {@code mv -n}, systemd, GLib). Such a request is rewritten
 * where it lies into the RENAME libfuse2 knows (the same directories and names), and its flags are
 * kept for the rest of the request on this thread, where the rename callback passes them to the
 * volume, which refuses an existing target atomically (EEXIST).
 * <p>
 * Only that flag: libfuse2 handles every rename as a move over the target, so after RENAME_EXCHANGE
 * its node table would leave the file exchanged into the source's name without a name, and
 * RENAME_WHITEOUT is overlayfs's. Those are answered EINVAL here, as the kernel did for them before:
 * libfuse2's ENOSYS would make the kernel refuse every flag from then on, NOREPLACE too. The kernel
 * sends RENAME2 only to a daemon of protocol 7.23 or later ({@link InitReply}). Thread-safe.
 */
public final class RenameFlags implements LargeRequestChannel.RequestHook {
    public static final int RENAME_NOREPLACE = 1;
    private static final int RENAME = 12;
    private static final int RENAME2 = 45;
    /** struct fuse_rename2_in: newdir, flags, padding; struct fuse_rename_in: newdir alone. */
    private static final int RENAME2_IN = 16;
    private static final int RENAME_IN = 8;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final ThreadSlots<int[]> slots = new ThreadSlots<>(() -> new int[1]);

    /** Forgets the last request's flags; turns a RENAME2 with NOREPLACE into a RENAME, and answers other flags EINVAL. */
    @Override
    public boolean answer(int fd, long address, int length) {
        int[] flags = slots.get();
        flags[0] = 0;
        if (!LargeRequestChannel.is(address, length, RENAME2, RENAME2_IN)) {
            return false;
        }
        if (MEMORY.getInt(address + LargeRequestChannel.IN_HEADER + 8) != RENAME_NOREPLACE) {
            KernelReply.error(fd, LargeRequestChannel.unique(address), io.xdevfs.posix.Errno.EINVAL);
            return true;
        }
        long body = address + LargeRequestChannel.IN_HEADER;
        byte[] names = new byte[length - LargeRequestChannel.IN_HEADER - RENAME2_IN];
        MEMORY.getByteArray(body + RENAME2_IN, names, 0, names.length);
        MEMORY.putByteArray(body + RENAME_IN, names, 0, names.length);
        MEMORY.putLong(address + length - (RENAME2_IN - RENAME_IN), 0);
        MEMORY.putInt(address, length - (RENAME2_IN - RENAME_IN)); // fuse_in_header.len
        MEMORY.putInt(address + 4, RENAME);
        flags[0] = RENAME_NOREPLACE;
        return false;
    }

    /** The renameat2 flags of the rename this thread is handling: 0 for a plain rename. */
    public int flags() {
        return slots.get()[0];
    }
}
