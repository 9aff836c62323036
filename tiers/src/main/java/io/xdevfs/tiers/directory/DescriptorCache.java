package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code max_open_files}: the backing descriptors of a volume's open files, at most {@code bound}
 * open at once. Beyond it the least recently used idle descriptor is closed ("parked") and its file
 * remembered by a file handle (name_to_handle_at); the next call through it reopens the same inode
 * with open_by_handle_at, whatever names it has by then. A descriptor in use by a call is never closed.
 *
 * <p>An inode that loses a name through xdevfs (unlink, rename over it) while open is pinned first:
 * its parked descriptors are reopened and none of its descriptors is parked again, because a file
 * handle cannot reopen an inode without links. Parking also needs the file on the base directory's
 * filesystem and CAP_DAC_READ_SEARCH (root); a descriptor that cannot be parked simply stays open. When
 * nothing can be parked, an open beyond the bound fails with ENFILE.
 *
 * <p>Each file's descriptors and whether it is pinned are recorded in its entry of the volume's
 * {@link OpenFiles} table ({@code Entry.backing}), the one table of open files.
 *
 * <p>Thread-safe; one lock, held for bookkeeping and for the rare reopen and park system calls; it
 * guards the entries' records too.
 */
final class DescriptorCache {
    /** One open file's backing descriptor. */
    static final class Descriptor {
        /** The file's entry in the volume's {@link OpenFiles}, which records its descriptors. */
        final OpenFiles.Entry entry;
        /** The file's id ({@link FileIds}): what the engine above knows the file by. */
        final long id;
        final int reopenFlags;
        final boolean parkable;
        int fd;
        int users;
        byte[] handle;
        boolean closed;

        Descriptor(int fd, OpenFiles.Entry entry, int reopenFlags, boolean parkable) {
            this.fd = fd;
            this.entry = entry;
            this.id = entry.id;
            this.reopenFlags = reopenFlags;
            this.parkable = parkable;
        }

        /** The descriptor, valid while the caller holds it ({@link #acquire}). */
        int fd() {
            return fd;
        }
    }

    private static final class Inode {
        final List<Descriptor> descriptors = new ArrayList<>(1);
        boolean pinned;
    }

    private static final int NOT_REOPENED = Flags.O_CREAT | Flags.O_EXCL | Flags.O_TRUNC | Flags.O_NOFOLLOW;

    private final Posix posix;
    private final FileIds ids;
    private final OpenFiles files;
    private final int mountFd;
    private final long baseDevice;
    private final int bound;
    private final boolean canReopen;
    /** Open, parkable descriptors in order of last use (eldest first). */
    private final LinkedHashMap<Descriptor, Descriptor> idleOrder = new LinkedHashMap<>(16, 0.75f, true);
    private int open;
    private long parked;
    private long reopened;

    /** Each file's descriptors are recorded in its entry of {@code files}; {@code ids} finds that entry by name. */
    DescriptorCache(Posix posix, int baseFd, int bound, FileIds ids, OpenFiles files) throws PosixException {
        this.posix = posix;
        this.ids = ids;
        this.files = files;
        // open_by_handle_at refuses an O_PATH descriptor (the volume's) as its mount_fd.
        this.mountFd = posix.openat(baseFd, ".", Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        this.baseDevice = posix.fstat(baseFd).dev;
        this.bound = bound;
        this.canReopen = posix.geteuid() == 0;
    }

    /**
     * Takes over {@code fd} (opened with {@code flags}; {@code st} its attributes), recording it in the
     * file's {@code entry}, and returns it held by the caller, who must {@link #release} it. Parks others
     * to stay within the bound; ENFILE if it cannot, and then {@code fd} is still the caller's to close.
     */
    synchronized Descriptor register(int fd, Stat st, int flags, OpenFiles.Entry entry) throws PosixException {
        Descriptor d = new Descriptor(fd, entry, flags & ~NOT_REOPENED, canReopen && st.dev == baseDevice);
        d.users = 1;
        open++;
        if (!makeRoom()) {
            open--;
            throw enfile();
        }
        if (entry.backing == null) {
            entry.backing = new Inode();
        }
        Inode inode = (Inode) entry.backing;
        inode.descriptors.add(d);
        if (d.parkable && !inode.pinned) {
            idleOrder.put(d, d);
        }
        return d;
    }

    /**
     * Makes room for one more descriptor before a file is created, so that a create refused with
     * ENFILE leaves no new name behind. (A concurrent open may still take the room; register checks again.)
     */
    synchronized void reserveRoom() throws PosixException {
        open++;
        boolean room = makeRoom();
        open--;
        if (!room) {
            throw enfile();
        }
    }

    private PosixException enfile() {
        return new PosixException(Errno.ENFILE, "open (max_open_files = " + bound + ", and no open file's "
                + "descriptor can be closed for now)", null);
    }

    /** Holds {@code d} open for one call, reopening it if it was parked. */
    synchronized void acquire(Descriptor d) throws PosixException {
        if (d.closed) {
            throw new PosixException(Errno.EBADF, "use of a closed file", null);
        }
        if (d.fd < 0) {
            d.fd = posix.openByHandle(mountFd, d.handle, d.reopenFlags);
            open++;
            reopened++;
            if (!pinned(d)) {
                idleOrder.put(d, d);
            }
            d.users++;
            makeRoom();
            return;
        }
        d.users++;
        idleOrder.get(d); // most recently used now (if it is in the order at all)
    }

    synchronized void release(Descriptor d) {
        d.users--;
    }

    /** Closes {@code d} for good (the file's handle closes). */
    synchronized void close(Descriptor d) throws PosixException {
        if (d.closed) {
            return;
        }
        d.closed = true;
        idleOrder.remove(d);
        Inode inode = (Inode) d.entry.backing;
        if (inode != null) {
            inode.descriptors.remove(d);
            if (inode.descriptors.isEmpty()) {
                d.entry.backing = null;
            }
        }
        if (d.fd >= 0) {
            open--;
            int fd = d.fd;
            d.fd = -1;
            posix.close(fd);
        }
    }

    /**
     * Before a name of the file at {@code dir}/{@code name} goes away through the volume: if the file
     * is open, its descriptors are reopened and stay open until closed.
     */
    synchronized void pinBeforeRemoving(int dir, String name) throws PosixException {
        if (files.size() == 0) {
            return;
        }
        Stat st;
        try {
            st = posix.lstatAt(dir, name);
        } catch (PosixException e) {
            return; // nothing there: the removal itself will say so
        }
        if (!st.isRegularFile() || st.dev != baseDevice) {
            return;
        }
        OpenFiles.Entry entry = files.peek(ids.of("/proc/self/fd/" + dir + "/" + name, st));
        Inode inode = entry == null ? null : (Inode) entry.backing;
        if (inode == null || inode.pinned) {
            return;
        }
        inode.pinned = true;
        for (Descriptor d : inode.descriptors) {
            idleOrder.remove(d);
            if (d.fd < 0) {
                d.fd = posix.openByHandle(mountFd, d.handle, d.reopenFlags);
                open++;
                reopened++;
            }
        }
        makeRoom();
    }

    /** Whether the file of {@code d} lost a name through the volume while open. */
    synchronized boolean lostAName(Descriptor d) {
        return pinned(d);
    }

    private boolean pinned(Descriptor d) {
        Inode inode = (Inode) d.entry.backing;
        return inode != null && inode.pinned;
    }

    /** Parks idle descriptors, eldest first, until at most {@code bound} are open; false if it could not. */
    private boolean makeRoom() {
        Iterator<Descriptor> eldest = idleOrder.keySet().iterator();
        while (open > bound && eldest.hasNext()) {
            Descriptor d = eldest.next();
            if (d.users > 0) {
                continue;
            }
            eldest.remove();
            park(d);
        }
        return open <= bound;
    }

    /** Closes an idle descriptor after naming its file by handle; one that cannot be named stays open. */
    private void park(Descriptor d) {
        try {
            if (d.handle == null) {
                if (posix.fstat(d.fd).nlink == 0) {
                    return; // unlinked by someone else: only this descriptor keeps the file
                }
                d.handle = posix.fileHandle(d.fd);
            }
            int fd = d.fd;
            d.fd = -1;
            open--;
            parked++;
            posix.close(fd);
        } catch (PosixException e) {
            // no handle (filesystem without export support): this one stays open, out of the LRU order
        }
    }

    /** At volume close, after every file's content closed. */
    synchronized void close() throws PosixException {
        posix.close(mountFd);
    }

    /** Backing descriptors open now. */
    synchronized int openDescriptors() {
        return open;
    }

    /** Descriptors closed to stay within the bound since the volume opened. */
    synchronized long parkedTotal() {
        return parked;
    }

    /** Parked descriptors reopened on use since the volume opened. */
    synchronized long reopenedTotal() {
        return reopened;
    }
}
