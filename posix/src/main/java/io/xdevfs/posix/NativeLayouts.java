package io.xdevfs.posix;

import jnr.ffi.Pointer;

/**
 * Byte offsets of the kernel structs we read (struct stat, struct statvfs, struct dirent64) on LP64
 * Linux. x86_64 and aarch64 differ only in where st_mode/st_nlink sit and in st_blksize's width.
 */
final class NativeLayouts {
    static final int STAT_SIZE = 144;
    static final int STATVFS_SIZE = 112;
    static final int DIRENT_NAME = 19;
    static final int DIRENT_TYPE = 18;

    // struct stat offsets that differ: x86_64 has a 64-bit st_nlink before st_mode, aarch64 (the
    // generic layout) a 32-bit one after it, and a 32-bit st_blksize.
    private static final int NLINK = Arch.X86_64 ? 16 : 20;
    private static final boolean WIDE_NLINK = Arch.X86_64;
    private static final int MODE = Arch.X86_64 ? 24 : 16;
    private static final int UID = MODE + 4;
    private static final int GID = MODE + 8;
    private static final int RDEV = Arch.X86_64 ? 40 : 32;
    private static final boolean WIDE_BLKSIZE = Arch.X86_64;
    private static final int DEV = 0;
    private static final int INO = 8;
    private static final int SIZE = 48;
    private static final int BLKSIZE = 56;
    private static final int BLOCKS = 64;
    private static final int ATIME = 72;
    private static final int MTIME = 88;
    private static final int CTIME = 104;

    static void readStat(Pointer p, Stat s) {
        s.dev = p.getLong(DEV);
        s.ino = p.getLong(INO);
        s.nlink = WIDE_NLINK ? p.getLong(NLINK) : Integer.toUnsignedLong(p.getInt(NLINK));
        s.mode = p.getInt(MODE);
        s.uid = p.getInt(UID);
        s.gid = p.getInt(GID);
        s.rdev = p.getLong(RDEV);
        s.size = p.getLong(SIZE);
        s.blksize = WIDE_BLKSIZE ? p.getLong(BLKSIZE) : p.getInt(BLKSIZE);
        s.blocks = p.getLong(BLOCKS);
        s.atimeSec = p.getLong(ATIME);
        s.atimeNsec = p.getLong(ATIME + 8);
        s.mtimeSec = p.getLong(MTIME);
        s.mtimeNsec = p.getLong(MTIME + 8);
        s.ctimeSec = p.getLong(CTIME);
        s.ctimeNsec = p.getLong(CTIME + 8);
    }

    /** The inverse of {@link #readStat}: fills a struct stat the caller zeroed (FUSE's getattr buffer). */
    static void writeStat(Stat s, Pointer p) {
        p.putLong(DEV, s.dev);
        p.putLong(INO, s.ino);
        if (WIDE_NLINK) {
            p.putLong(NLINK, s.nlink);
        } else {
            p.putInt(NLINK, (int) s.nlink);
        }
        p.putInt(MODE, s.mode);
        p.putInt(UID, s.uid);
        p.putInt(GID, s.gid);
        p.putLong(RDEV, s.rdev);
        p.putLong(SIZE, s.size);
        if (WIDE_BLKSIZE) {
            p.putLong(BLKSIZE, s.blksize);
        } else {
            p.putInt(BLKSIZE, (int) s.blksize);
        }
        p.putLong(BLOCKS, s.blocks);
        p.putLong(ATIME, s.atimeSec);
        p.putLong(ATIME + 8, s.atimeNsec);
        p.putLong(MTIME, s.mtimeSec);
        p.putLong(MTIME + 8, s.mtimeNsec);
        p.putLong(CTIME, s.ctimeSec);
        p.putLong(CTIME + 8, s.ctimeNsec);
    }

    static FsStat readStatvfs(Pointer p) {
        return new FsStat(p.getLong(0), p.getLong(8), p.getLong(16), p.getLong(24), p.getLong(32),
                p.getLong(40), p.getLong(48), p.getLong(56), p.getLong(80));
    }

    private NativeLayouts() {
    }
}
