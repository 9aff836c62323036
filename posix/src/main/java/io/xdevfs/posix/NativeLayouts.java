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

    static void readStat(Pointer p, Stat s) {
        s.dev = p.getLong(0);
        s.ino = p.getLong(8);
        if (Arch.X86_64) {
            s.nlink = p.getLong(16);
            s.mode = p.getInt(24);
            s.uid = p.getInt(28);
            s.gid = p.getInt(32);
            s.rdev = p.getLong(40);
            s.blksize = p.getLong(56);
        } else {
            s.mode = p.getInt(16);
            s.nlink = Integer.toUnsignedLong(p.getInt(20));
            s.uid = p.getInt(24);
            s.gid = p.getInt(28);
            s.rdev = p.getLong(32);
            s.blksize = p.getInt(56);
        }
        s.size = p.getLong(48);
        s.blocks = p.getLong(64);
        s.atimeSec = p.getLong(72);
        s.atimeNsec = p.getLong(80);
        s.mtimeSec = p.getLong(88);
        s.mtimeNsec = p.getLong(96);
        s.ctimeSec = p.getLong(104);
        s.ctimeNsec = p.getLong(112);
    }

    /** The inverse of {@link #readStat}: fills a struct stat the caller zeroed (FUSE's getattr buffer). */
    static void writeStat(Stat s, Pointer p) {
        p.putLong(0, s.dev);
        p.putLong(8, s.ino);
        if (Arch.X86_64) {
            p.putLong(16, s.nlink);
            p.putInt(24, s.mode);
            p.putInt(28, s.uid);
            p.putInt(32, s.gid);
            p.putLong(40, s.rdev);
            p.putLong(56, s.blksize);
        } else {
            p.putInt(16, s.mode);
            p.putInt(20, (int) s.nlink);
            p.putInt(24, s.uid);
            p.putInt(28, s.gid);
            p.putLong(32, s.rdev);
            p.putInt(56, (int) s.blksize);
        }
        p.putLong(48, s.size);
        p.putLong(64, s.blocks);
        p.putLong(72, s.atimeSec);
        p.putLong(80, s.atimeNsec);
        p.putLong(88, s.mtimeSec);
        p.putLong(96, s.mtimeNsec);
        p.putLong(104, s.ctimeSec);
        p.putLong(112, s.ctimeNsec);
    }

    static FsStat readStatvfs(Pointer p) {
        return new FsStat(p.getLong(0), p.getLong(8), p.getLong(16), p.getLong(24), p.getLong(32),
                p.getLong(40), p.getLong(48), p.getLong(56), p.getLong(80));
    }

    private NativeLayouts() {
    }
}
