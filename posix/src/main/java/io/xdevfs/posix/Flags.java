package io.xdevfs.posix;

/** open(2), *at(2), fallocate(2) and openat2(2) constants for Linux x86_64 and aarch64. */
public final class Flags {
    public static final int O_ACCMODE = 3;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_DSYNC = 010000;
    /** O_SYNC includes O_DSYNC's bit. */
    public static final int O_SYNC = 04010000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;
    // These four differ between the two architectures.
    public static final int O_DIRECT = Arch.X86_64 ? 040000 : 0200000;
    public static final int O_LARGEFILE = Arch.X86_64 ? 0100000 : 0400000;
    public static final int O_DIRECTORY = Arch.X86_64 ? 0200000 : 040000;
    public static final int O_NOFOLLOW = Arch.X86_64 ? 0400000 : 0100000;
    /** __O_TMPFILE | O_DIRECTORY. */
    public static final int O_TMPFILE = 020000000 | O_DIRECTORY;

    public static final int AT_FDCWD = -100;
    /** renameat2(2): fail with EEXIST rather than replace the target. */
    public static final int RENAME_NOREPLACE = 1;
    /** renameat2(2): swap the two names atomically. */
    public static final int RENAME_EXCHANGE = 2;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;
    public static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    public static final int FALLOC_FL_INSERT_RANGE = 0x20;

    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;

    /** setxattr(2): fail with EEXIST if the attribute exists. */
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    private Flags() {
    }
}
