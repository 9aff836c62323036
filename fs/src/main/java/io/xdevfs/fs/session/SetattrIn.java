package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.MetadataChange;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * struct fuse_setattr_in read into {@link MetadataChange}s, and struct fuse_attr_out written from a
 * {@link Stat}: the layouts of include/uapi/linux/fuse.h, pure offset arithmetic.
 *
 * <pre>
 * fuse_setattr_in: valid 0, padding 4, fh 8, size 16, lock_owner 24, atime 32, mtime 40, ctime 48,
 *                  atimensec 56, mtimensec 60, ctimensec 64, mode 68, unused4 72, uid 76, gid 80, unused5 84
 * fuse_attr_out:   attr_valid 0, attr_valid_nsec 8, dummy 12, then fuse_attr: ino, size, blocks, atime,
 *                  mtime, ctime (u64), atimensec, mtimensec, ctimensec, mode, nlink, uid, gid, rdev,
 *                  blksize, flags (u32)
 * </pre>
 */
public final class SetattrIn {
    public static final int FATTR_MODE = 1;
    public static final int FATTR_UID = 1 << 1;
    public static final int FATTR_GID = 1 << 2;
    public static final int FATTR_ATIME = 1 << 4;
    public static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_ATIME_NOW = 1 << 7;
    public static final int FATTR_MTIME_NOW = 1 << 8;

    private SetattrIn() {
    }

    /** The mode, owner and time changes a SETATTR body at {@code body} asks for, in that order. */
    public static List<MetadataChange> changes(MemoryIO memory, long body) {
        int valid = memory.getInt(body);
        List<MetadataChange> out = new ArrayList<>(3);
        if ((valid & FATTR_MODE) != 0) {
            out.add(new MetadataChange.Mode(memory.getInt(body + 68) & 07777));
        }
        if ((valid & (FATTR_UID | FATTR_GID)) != 0) {
            out.add(new MetadataChange.Owner((valid & FATTR_UID) != 0 ? memory.getInt(body + 76) : -1,
                    (valid & FATTR_GID) != 0 ? memory.getInt(body + 80) : -1));
        }
        if ((valid & (FATTR_ATIME | FATTR_MTIME)) != 0) {
            out.add(new MetadataChange.Times(memory.getLong(body + 32),
                    nanos(valid, FATTR_ATIME, FATTR_ATIME_NOW, memory.getInt(body + 56)),
                    memory.getLong(body + 40), nanos(valid, FATTR_MTIME, FATTR_MTIME_NOW, memory.getInt(body + 60))));
        }
        return out;
    }

    private static long nanos(int valid, int set, int now, int given) {
        if ((valid & set) == 0) {
            return Flags.UTIME_OMIT;
        }
        return (valid & now) != 0 ? Flags.UTIME_NOW : given & 0xffffffffL;
    }

    /** Puts fuse_attr_out for {@code st} (valid for 0 s: xdevfs mounts with attr_timeout=0). */
    public static void putAttrOut(ByteBuffer out, Stat st) {
        out.putLong(0).putInt(0).putInt(0);
        out.putLong(st.ino).putLong(st.size).putLong(st.blocks);
        out.putLong(st.atimeSec).putLong(st.mtimeSec).putLong(st.ctimeSec);
        out.putInt((int) st.atimeNsec).putInt((int) st.mtimeNsec).putInt((int) st.ctimeNsec);
        out.putInt(st.mode).putInt((int) st.nlink).putInt(st.uid).putInt(st.gid).putInt((int) st.rdev);
        out.putInt((int) st.blksize).putInt(0);
    }
}
