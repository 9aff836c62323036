package io.xdevfs.posix;

/** Linux errno values used by xdevfs (asm-generic, identical on x86_64 and aarch64). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int ENOTBLK = 15;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ECONNABORTED = 103;
    public static final int ESTALE = 116;
    public static final int EDQUOT = 122;

    /** Indexed by errno, up to the largest named here. */
    private static final String[] NAMES = new String[EDQUOT + 1];

    static {
        NAMES[EPERM] = "EPERM: operation not permitted";
        NAMES[ENOENT] = "ENOENT: no such file or directory";
        NAMES[EINTR] = "EINTR: interrupted system call";
        NAMES[EIO] = "EIO: input/output error";
        NAMES[ENXIO] = "ENXIO: no such device or address";
        NAMES[EBADF] = "EBADF: bad file descriptor";
        NAMES[EAGAIN] = "EAGAIN: resource temporarily unavailable";
        NAMES[ENOMEM] = "ENOMEM: cannot allocate memory";
        NAMES[EACCES] = "EACCES: permission denied";
        NAMES[E2BIG] = "E2BIG: argument list too long";
        NAMES[ENOTBLK] = "ENOTBLK: block device required";
        NAMES[EBUSY] = "EBUSY: device or resource busy";
        NAMES[EEXIST] = "EEXIST: file exists";
        NAMES[EXDEV] = "EXDEV: invalid cross-device link";
        NAMES[ENODEV] = "ENODEV: no such device";
        NAMES[ENOTDIR] = "ENOTDIR: not a directory";
        NAMES[EISDIR] = "EISDIR: is a directory";
        NAMES[EINVAL] = "EINVAL: invalid argument";
        NAMES[ENFILE] = "ENFILE: too many open files in system";
        NAMES[EMFILE] = "EMFILE: too many open files";
        NAMES[EFBIG] = "EFBIG: file too large";
        NAMES[ENOSPC] = "ENOSPC: no space left on device";
        NAMES[EROFS] = "EROFS: read-only file system";
        NAMES[ERANGE] = "ERANGE: result too large";
        NAMES[ENAMETOOLONG] = "ENAMETOOLONG: file name too long";
        NAMES[ENOSYS] = "ENOSYS: function not implemented";
        NAMES[ENOTEMPTY] = "ENOTEMPTY: directory not empty";
        NAMES[ELOOP] = "ELOOP: too many levels of symbolic links";
        NAMES[ENODATA] = "ENODATA: no data available";
        NAMES[EOPNOTSUPP] = "EOPNOTSUPP: operation not supported";
        NAMES[ECONNABORTED] = "ECONNABORTED: software caused connection abort";
        NAMES[ESTALE] = "ESTALE: stale file handle";
        NAMES[EDQUOT] = "EDQUOT: disk quota exceeded";
    }

    /** "ENOSPC: no space left on device" for the errnos named here, else null: for messages people read. */
    public static String describe(int errno) {
        return errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
    }

    private Errno() {
    }
}
