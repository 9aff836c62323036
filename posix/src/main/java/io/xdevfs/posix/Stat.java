package io.xdevfs.posix;

/**
 * What stat(2) says of one file; plain Java so that no layer above needs the native struct (only the
 * FUSE bridge writes it back into one, with {@link StatLayout}).
 */
public final class Stat {
    public long dev;
    public long ino;
    public long nlink;
    public int mode;
    public int uid;
    public int gid;
    public long rdev;
    public long size;
    public long blksize;
    public long blocks;
    public long atimeSec;
    public long atimeNsec;
    public long mtimeSec;
    public long mtimeNsec;
    public long ctimeSec;
    public long ctimeNsec;

    public boolean isDirectory() {
        return (mode & Flags.S_IFMT) == Flags.S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & Flags.S_IFMT) == Flags.S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & Flags.S_IFMT) == Flags.S_IFLNK;
    }
}
