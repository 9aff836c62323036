package io.xdevfs.tiers.metrics;

import java.util.Locale;

/** The operations xdevfs counts, one per Volume/Content call; {@link #key()} names them in stats output. */
public enum Op {
    READ, WRITE, SYNC, OPEN, CREATE, CLOSE, GETATTR, READDIR, TRUNCATE, UNLINK, RENAME, MKDIR, RMDIR, LINK,
    SYMLINK, READLINK, CHMOD, CHOWN, UTIMENS, MKNOD, STATFS, SYNCDIR, ACCESS, XATTR, FALLOCATE;

    /** "read", "write", ...: the seed's read_ops/write_ops naming takes this as its prefix. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the operation moves data, so that bytes and bandwidth mean something. */
    public boolean movesData() {
        return this == READ || this == WRITE;
    }
}
