package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One file of a block volume in memory: attributes, names (directories), and where its bytes are —
 * the allocation unit of each unit-sized piece and the CRC32C of each written 4 KiB block. Fields
 * change only through {@link MetaState#apply} (changes) and under the volume's metadata lock, except
 * the times a write sets ({@link #touch}), which are journaled with the next change of the inode.
 */
final class Inode {
    final long id;
    int mode;
    int uid;
    int gid;
    long nlink;
    long size;
    long rdev;
    long atimeSec;
    long atimeNsec;
    long mtimeSec;
    long mtimeNsec;
    long ctimeSec;
    long ctimeNsec;
    String target = "";
    final TreeMap<String, byte[]> xattrs = new TreeMap<>();
    /** Directories: name to inode id. */
    final TreeMap<String, Long> children = new TreeMap<>();
    /** Allocation unit of each piece, -1 for none. */
    long[] units = new long[0];
    /** CRC32C of each block, valid where {@link #written} is set. */
    int[] crcs = new int[0];
    final BitSet written = new BitSet();
    /** Blocks that may be overwritten without a frame until the next checkpoint ({@link Change.Settled}). */
    final BitSet inPlace = new BitSet();
    /**
     * Blocks whose write may not have reached the device (a crash came between its checksum change and
     * the data): the checksum before it ({@link Change#UNWRITTEN}: none, the block read as zeros).
     */
    final Map<Long, Long> previous = new HashMap<>();

    /** Open handles; an inode without names stays until the last is closed. */
    int opens;
    /**
     * The file was fsync'd through some handle: its writes are likely followed by a sync (a WAL), so their
     * journal frames start toward the device at once ({@link MetaStore#startJournalWriteback}).
     */
    volatile boolean syncs;
    /** Times changed by writes and not journaled yet. */
    boolean timesDirty;
    /** Readers share, writers of the bytes exclude each other and readers. */
    final ReentrantReadWriteLock io = new ReentrantReadWriteLock();

    Inode(long id) {
        this.id = id;
    }

    boolean isDirectory() {
        return (mode & Flags.S_IFMT) == Flags.S_IFDIR;
    }

    boolean isRegular() {
        return (mode & Flags.S_IFMT) == Flags.S_IFREG;
    }

    long unit(long index) {
        return index < units.length ? units[(int) index] : -1;
    }

    void setUnit(long index, long physical) {
        if (index >= units.length) {
            int n = (int) Math.max(index + 1, units.length * 2L);
            long[] grown = Arrays.copyOf(units, n);
            Arrays.fill(grown, units.length, n, -1);
            units = grown;
        }
        units[(int) index] = physical;
    }

    void setCrc(long block, int crc) {
        if (block >= crcs.length) {
            crcs = Arrays.copyOf(crcs, (int) Math.max(block + 1, crcs.length * 2L));
        }
        crcs[(int) block] = crc;
        written.set((int) block);
    }

    long mappedUnits() {
        return Arrays.stream(units).filter(u -> u >= 0).count();
    }

    Change.Attributes attributes() {
        return new Change.Attributes(id, mode, uid, gid, nlink, size, rdev, atimeSec, atimeNsec, mtimeSec, mtimeNsec,
                ctimeSec, ctimeNsec, target);
    }

    void assign(Change.Attributes a) {
        mode = a.mode();
        uid = a.uid();
        gid = a.gid();
        nlink = a.nlink();
        size = a.size();
        rdev = a.rdev();
        atimeSec = a.atimeSec();
        atimeNsec = a.atimeNsec();
        mtimeSec = a.mtimeSec();
        mtimeNsec = a.mtimeNsec();
        ctimeSec = a.ctimeSec();
        ctimeNsec = a.ctimeNsec();
        target = a.target();
        timesDirty = false;
    }

    /** A write's mtime and ctime, journaled later. */
    void touch(long[] now) {
        mtimeSec = ctimeSec = now[0];
        mtimeNsec = ctimeNsec = now[1];
        timesDirty = true;
    }
}
