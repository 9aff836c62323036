package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;

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
    final SparseInts units = new SparseInts(-1);
    /** CRC32C of each block, valid where {@link #written} is set. */
    final SparseInts crcs = new SparseInts(0);
    final SparseBits written = new SparseBits();
    /** Blocks that may be overwritten without a frame until the next checkpoint ({@link Change.Settled}). */
    final SparseBits inPlace = new SparseBits();
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
        return units.get(index);
    }

    void setUnit(long index, long physical) {
        units.set(index, (int) physical); // a device has at most 2^31 units (Geometry)
    }

    int crc(long block) {
        return crcs.get(block);
    }

    void setCrc(long block, int crc) {
        crcs.set(block, crc);
        written.set(block);
    }

    long mappedUnits() {
        return units.present();
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
