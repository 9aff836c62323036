package io.xdevfs.tiers.block;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code system.posix_acl_access} as a filesystem with ACLs treats it: setting one sets the mode's
 * permission bits (owner from USER_OBJ, group from MASK or else GROUP_OBJ, others from OTHER), and an ACL
 * that says no more than the mode is not stored at all. cp -a and tar preserve modes this way.
 */
record AccessAcl(int permissions, boolean equivalentToMode) {
    static final String NAME = "system.posix_acl_access";
    static final String DEFAULT = "system.posix_acl_default";
    private static final int VERSION = 2;
    private static final int USER_OBJ = 0x01;
    private static final int GROUP_OBJ = 0x04;
    private static final int MASK = 0x10;
    private static final int OTHER = 0x20;

    /** The ACL in its xattr form, or null when it is not a valid one (then it is EINVAL). */
    static AccessAcl parse(byte[] value) {
        if (value.length < 4 || (value.length - 4) % 8 != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != VERSION) {
            return null;
        }
        int user = -1;
        int group = -1;
        int mask = -1;
        int other = -1;
        boolean extended = false;
        while (b.hasRemaining()) {
            int tag = b.getShort() & 0xffff;
            int perm = b.getShort() & 7;
            b.getInt();
            switch (tag) {
                case USER_OBJ -> user = perm;
                case GROUP_OBJ -> group = perm;
                case MASK -> mask = perm;
                case OTHER -> other = perm;
                default -> extended = true;
            }
        }
        if (user < 0 || group < 0 || other < 0) {
            return null;
        }
        return new AccessAcl(user << 6 | (mask >= 0 ? mask : group) << 3 | other, !extended && mask < 0);
    }

    /**
     * A stored ACL after chmod to {@code mode}, as the kernel's posix_acl_chmod makes it: USER_OBJ takes
     * the owner bits, MASK (or GROUP_OBJ where there is no mask) the group bits, OTHER the others' bits;
     * named entries stay. Without this, getfacl (and cp -a, tar) would show the permissions before chmod.
     */
    static byte[] chmod(byte[] value, int mode) {
        byte[] out = value.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        boolean hasMask = false;
        for (int at = 4; at + 8 <= out.length; at += 8) {
            hasMask |= (b.getShort(at) & 0xffff) == MASK;
        }
        for (int at = 4; at + 8 <= out.length; at += 8) {
            int tag = b.getShort(at) & 0xffff;
            int perm = switch (tag) {
                case USER_OBJ -> mode >> 6 & 7;
                case MASK -> mode >> 3 & 7;
                case GROUP_OBJ -> hasMask ? -1 : mode >> 3 & 7;
                case OTHER -> mode & 7;
                default -> -1;
            };
            if (perm >= 0) {
                b.putShort(at + 2, (short) perm);
            }
        }
        return out;
    }

    /**
     * What a file made with {@code mode} in a directory whose default ACL is {@code defaultAcl} gets, as
     * the kernel's posix_acl_create has it (the umask does not apply): each of USER_OBJ, OTHER and MASK
     * (or GROUP_OBJ without a mask) keeps only what the mode's class allows, and the mode's permission
     * bits become what those entries then allow. Null when the default ACL is not a valid one (nothing
     * is inherited then).
     */
    static Inherited inherit(byte[] defaultAcl, int mode) {
        if (parse(defaultAcl) == null) {
            return null;
        }
        byte[] out = defaultAcl.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int m = mode & 0777;
        boolean extended = false;
        int group = -1;
        int mask = -1;
        for (int at = 4; at + 8 <= out.length; at += 8) {
            int tag = b.getShort(at) & 0xffff;
            int perm = b.getShort(at + 2) & 7;
            switch (tag) {
                case USER_OBJ -> {
                    perm &= m >> 6;
                    m = (m & ~0700) | perm << 6;
                    b.putShort(at + 2, (short) perm);
                }
                case OTHER -> {
                    perm &= m;
                    m = (m & ~07) | perm;
                    b.putShort(at + 2, (short) perm);
                }
                case GROUP_OBJ -> group = at;
                case MASK -> {
                    mask = at;
                    extended = true;
                }
                default -> extended = true;
            }
        }
        int at = mask >= 0 ? mask : group;
        int perm = b.getShort(at + 2) & 7 & m >> 3;
        m = (m & ~070) | perm << 3;
        b.putShort(at + 2, (short) perm);
        return new Inherited((mode & ~0777) | m, extended ? out : null);
    }

    /** A new file's mode, and its access ACL (null when the mode says it all). */
    record Inherited(int mode, byte[] accessAcl) {
    }
}
