package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.Log;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.xdevfs.fs.session.Opcodes.RENAME;
import static io.xdevfs.fs.session.Opcodes.RENAME2;

/**
 * renameat2 with Flags.RENAME_NOREPLACE or Flags.RENAME_EXCHANGE, which libfuse2's API lacks: its rename has no
 * flags, and it answers the kernel's RENAME2 with ENOSYS, which programs see as EINVAL (ext4 and tmpfs
 * do both; coreutils' {@code mv -n} uses NOREPLACE, {@code exch} and atomic directory swaps EXCHANGE).
 * Such a request is rewritten where it lies into the RENAME libfuse2 knows (the same directories and
 * names), and its flags are kept for the rest of the request on this thread, where the rename callback
 * passes them to the volume: NOREPLACE refuses an existing target atomically (EEXIST), EXCHANGE swaps
 * the two names.
 * <p>
 * libfuse2 handles every rename as a move over the target: after an exchange its node table has the
 * first file under the second name, and the second file under no name at all, while the kernel has it
 * under the first name. So once the exchange is answered, the kernel is told to forget the first name
 * (FUSE_NOTIFY_INVAL_ENTRY, from a thread of its own: the kernel takes the directory's lock, which the
 * renaming program holds until the answer), and looks it up afresh. RENAME_WHITEOUT (overlayfs's) is
 * answered EINVAL here, as the kernel did before: libfuse2's ENOSYS would make the kernel refuse every
 * flag from then on. So is Flags.RENAME_EXCHANGE on a writeback-cache mount: there the kernel writes both
 * files' new ctime back before the rename returns, and the second file's write-back met its nameless
 * node (ENOENT), an error the kernel keeps for that file's next fsync. The kernel sends RENAME2 only
 * to a daemon of protocol 7.23 or later ({@link InitReply}). Thread-safe.
 */
public final class RenameFlags implements LargeRequestChannel.RequestHook {
    /** struct fuse_rename2_in: newdir, flags, padding; struct fuse_rename_in: newdir alone. */
    private static final int RENAME2_IN = 16;
    private static final int RENAME_IN = 8;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    /** The request this thread handles, when it is a rewritten RENAME2. */
    private static final class Slot {
        int flags;
        long unique;
        int fd;
        long parent;
        byte[] name;
    }

    private final ThreadSlots<Slot> slots = new ThreadSlots<>(Slot::new);
    /** Whether Flags.RENAME_EXCHANGE is served (not on a writeback-cache mount). */
    private final boolean exchanges;
    private final ExecutorService notices = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-rename-notices");
        t.setDaemon(true);
        return t;
    });

    public RenameFlags(boolean exchanges) {
        this.exchanges = exchanges;
    }

    /** Forgets the last request's flags; turns a RENAME2 with NOREPLACE or EXCHANGE into a RENAME, and answers other flags EINVAL. */
    @Override
    public boolean answer(int fd, long address, int length) {
        Slot s = slots.get();
        s.flags = 0;
        s.name = null;
        if (!LargeRequestChannel.is(address, length, RENAME2, RENAME2_IN)) {
            return false;
        }
        int flags = MEMORY.getInt(address + LargeRequestChannel.IN_HEADER + 8);
        if (flags != Flags.RENAME_NOREPLACE && (flags != Flags.RENAME_EXCHANGE || !exchanges)) {
            KernelReply.error(fd, LargeRequestChannel.unique(address), Errno.EINVAL);
            return true;
        }
        long body = address + LargeRequestChannel.IN_HEADER;
        byte[] names = new byte[length - LargeRequestChannel.IN_HEADER - RENAME2_IN];
        MEMORY.getByteArray(body + RENAME2_IN, names, 0, names.length);
        MEMORY.putByteArray(body + RENAME_IN, names, 0, names.length);
        MEMORY.putLong(address + length - (RENAME2_IN - RENAME_IN), 0);
        MEMORY.putInt(address, length - (RENAME2_IN - RENAME_IN)); // fuse_in_header.len
        MEMORY.putInt(address + 4, RENAME);
        s.flags = flags;
        if (flags == Flags.RENAME_EXCHANGE) {
            s.unique = LargeRequestChannel.unique(address);
            s.fd = fd;
            s.parent = MEMORY.getLong(address + 16); // fuse_in_header.nodeid: the first name's directory
            int end = 0;
            while (end < names.length && names[end] != 0) {
                end++;
            }
            s.name = java.util.Arrays.copyOf(names, end);
        }
        return false;
    }

    /** An exchange answered with success: the kernel is to look its first name up again. */
    @Override
    public void replying(long iov, int count) {
        Slot s = slots.get();
        if (s.name == null) {
            return;
        }
        long header = MEMORY.getAddress(iov);
        if (MEMORY.getLong(header + 8) == s.unique && MEMORY.getInt(header + 4) == 0) {
            int fd = s.fd;
            long parent = s.parent;
            byte[] name = s.name;
            try {
                notices.execute(() -> KernelReply.invalidateEntry(fd, parent, name));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                Log.warn("cannot have the kernel look up an exchanged name again: " + e.getMessage());
            }
        }
        s.name = null;
    }

    /** The renameat2 flags of the rename this thread is handling: 0 for a plain rename. */
    public int flags() {
        return slots.get().flags;
    }
}
