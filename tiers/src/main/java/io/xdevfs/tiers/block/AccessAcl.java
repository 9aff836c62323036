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
}
