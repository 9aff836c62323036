package io.xdevfs.tiers;

import io.xdevfs.tiers.metrics.Op;

/**
 * A change of an open file's metadata through its handle (fchmod, fchown, futimens, fsetxattr,
 * fremovexattr), which also works after the file lost its last name. One type, so that every decorator
 * forwards one method.
 */
public sealed interface MetadataChange {
    /** chmod: the permission bits (07777). */
    record Mode(int mode) implements MetadataChange {
        @Override
        public Op op() {
            return Op.CHMOD;
        }
    }

    /** chown: -1 leaves a field unchanged. */
    record Owner(int uid, int gid) implements MetadataChange {
        @Override
        public Op op() {
            return Op.CHOWN;
        }
    }

    /** utimens: nanosecond fields may be UTIME_NOW or UTIME_OMIT. */
    record Times(long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) implements MetadataChange {
        @Override
        public Op op() {
            return Op.UTIMENS;
        }
    }

    /** setxattr: {@code flags} XATTR_CREATE or XATTR_REPLACE, or 0. */
    record SetXattr(String name, byte[] value, int flags) implements MetadataChange {
        @Override
        public Op op() {
            return Op.XATTR;
        }
    }

    /** removexattr. */
    record RemoveXattr(String name) implements MetadataChange {
        @Override
        public Op op() {
            return Op.XATTR;
        }
    }

    /** The operation it is counted as in the statistics. */
    Op op();
}
