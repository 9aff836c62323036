package io.xdevfs.tiers.intentlog;

/**
 * What an intent-log record says happened, with its code on disk. Path records name files as the
 * volume did at the time; id records name an open file by its xdevfs id, which survives renames and
 * works for a file that has no name left (the record is then skipped at replay).
 */
public enum RecordType {
    /** path, id, mode, uid, gid, truncated (0/1): open(O_CREAT) of a regular file. */
    CREATE(1),
    /** path, id, mode, uid, gid. */
    MKDIR(2),
    /** path, mode (with the file type), rdev, uid, gid: a FIFO, socket or empty file. */
    MKNOD(3),
    /** path, target, uid, gid. */
    SYMLINK(4),
    /** existing, new path. */
    LINK(5),
    /** path. */
    UNLINK(6),
    /** path. */
    RMDIR(7),
    /** from, to, renameat2 flags. */
    RENAME(8),
    /** path, size. */
    TRUNCATE(9),
    /** path, mode (07777). */
    CHMOD(10),
    /** path, uid, gid (-1 unchanged). */
    CHOWN(11),
    /** path, atime sec/nsec, mtime sec/nsec (resolved: never UTIME_NOW or UTIME_OMIT). */
    UTIMENS(12),
    /** path, name, value, flags. */
    SETXATTR(13),
    /** path, name. */
    REMOVEXATTR(14),
    /** id, offset, file size, mtime sec/nsec, bytes: what an fsync made durable. */
    DATA(20),
    /** id, size. */
    FTRUNCATE(21),
    /** id, mode, offset, length. */
    FALLOCATE(22),
    /** id, mode (07777). */
    FCHMOD(23),
    /** id, uid, gid. */
    FCHOWN(24),
    /** id, atime sec/nsec, mtime sec/nsec (resolved). */
    FUTIMENS(25),
    /** id, name, value, flags: fsetxattr. */
    FSETXATTR(26),
    /** id, name: fremovexattr. */
    FREMOVEXATTR(27);

    final int code;

    RecordType(int code) {
        this.code = code;
    }

    private static final RecordType[] BY_CODE = new RecordType[32];

    static {
        for (RecordType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The type with {@code code}, or null for a code no version of the format wrote. */
    static RecordType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
