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

    static FsStat readStatvfs(Pointer p) {
        return new FsStat(p.getLong(0), p.getLong(8), p.getLong(16), p.getLong(24), p.getLong(32),
                p.getLong(40), p.getLong(48), p.getLong(56), p.getLong(80));
    }

    private NativeLayouts() {
    }
}
