package io.xdevfs.fs.session;

/** The FUSE request opcodes the request hooks look at (include/uapi/linux/fuse.h). */
final class Opcodes {
    static final int LOOKUP = 1;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int SETXATTR = 21;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int REMOVEXATTR = 24;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int FALLOCATE = 43;
    static final int RENAME2 = 45;
    static final int LSEEK = 46;

    private Opcodes() {
    }
}
