package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** system.posix_acl_access on the block type: chmod rewrites a stored ACL's owner, mask and other entries. */
class AccessAclTest {
    @TempDir
    Path tmp;

    /** An ACL in its xattr form: {tag, perm, id} triples. */
    private static byte[] acl(int... entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + entries.length / 3 * 8).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
        for (int i = 0; i < entries.length; i += 3) {
            b.putShort((short) entries[i]).putShort((short) entries[i + 1]).putInt(entries[i + 2]);
        }
        return b.array();
    }

    private static final int UNDEFINED = -1;

    /** A block volume's configuration on a newly formatted device image. */
    private LocalConfig formattedDevice() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        return LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4));
    }

    @Test
    void chmodSetsOwnerMaskAndOtherAndKeepsNamedEntries() {
        byte[] before = acl(0x01, 7, UNDEFINED, 0x02, 5, 1000, 0x04, 7, UNDEFINED, 0x10, 7, UNDEFINED, 0x20, 5, UNDEFINED);
        byte[] after = AccessAcl.chmod(before, 0640);
        assertArrayEquals(acl(0x01, 6, UNDEFINED, 0x02, 5, 1000, 0x04, 7, UNDEFINED, 0x10, 4, UNDEFINED, 0x20, 0, UNDEFINED),
                after, "named user and GROUP_OBJ stay; the mask takes the group bits");
        assertEquals(0640, AccessAcl.parse(after).permissions());
        assertEquals(0, Arrays.compare(before, acl(0x01, 7, UNDEFINED, 0x02, 5, 1000, 0x04, 7, UNDEFINED, 0x10, 7,
                UNDEFINED, 0x20, 5, UNDEFINED)), "the stored value is not changed in place");
        byte[] noMask = AccessAcl.chmod(acl(0x01, 7, UNDEFINED, 0x04, 7, UNDEFINED, 0x20, 7, UNDEFINED), 0751);
        assertArrayEquals(acl(0x01, 7, UNDEFINED, 0x04, 5, UNDEFINED, 0x20, 1, UNDEFINED), noMask);
    }

    @Test
    void chmodOnAMountRewritesTheStoredAclDurably() throws Exception {
        LocalConfig config = formattedDevice();
        byte[] extended = acl(0x01, 7, UNDEFINED, 0x02, 6, 1000, 0x04, 5, UNDEFINED, 0x10, 7, UNDEFINED, 0x20, 4, UNDEFINED);
        try (Volume v = BlockVolume.open(Posix.get(), config, true)) {
            v.create("/f", Flags.O_RDWR, 0644, null).close();
            v.setxattr("/f", AccessAcl.NAME, ByteBuffer.wrap(extended), 0);
            assertEquals(0774, v.getattr("/f").mode & 0777, "setting the ACL sets the mode");
            v.chmod("/f", 0600);
            v.syncDirectory("/");
        }
        try (Volume v = BlockVolume.open(Posix.get(), config, true)) {
            ByteBuffer got = ByteBuffer.allocate(256);
            int n = v.getxattr("/f", AccessAcl.NAME, got);
            assertArrayEquals(acl(0x01, 6, UNDEFINED, 0x02, 6, 1000, 0x04, 5, UNDEFINED, 0x10, 0, UNDEFINED, 0x20, 0, UNDEFINED),
                    Arrays.copyOf(got.array(), n));
            assertEquals(0600, v.getattr("/f").mode & 0777);
        }
    }

    /** posix_acl_create: the mode asked narrows USER_OBJ, MASK and OTHER; the mode follows them. */
    @Test
    void whatIsMadeUnderADefaultAclInheritsItAsTheKernelMasksIt() {
        byte[] def = acl(0x01, 7, UNDEFINED, 0x02, 7, 1000, 0x04, 5, UNDEFINED, 0x10, 7, UNDEFINED, 0x20, 5, UNDEFINED);
        AccessAcl.Inherited file = AccessAcl.inherit(def, Flags.S_IFREG | 0666);
        assertEquals(Flags.S_IFREG | 0664, file.mode(), "the umask plays no part; the mask takes rw- from the mode");
        assertArrayEquals(acl(0x01, 6, UNDEFINED, 0x02, 7, 1000, 0x04, 5, UNDEFINED, 0x10, 6, UNDEFINED, 0x20, 4, UNDEFINED),
                file.accessAcl());
        byte[] plain = acl(0x01, 7, UNDEFINED, 0x04, 5, UNDEFINED, 0x20, 0, UNDEFINED);
        AccessAcl.Inherited dir = AccessAcl.inherit(plain, Flags.S_IFDIR | 0777);
        assertEquals(Flags.S_IFDIR | 0750, dir.mode());
        assertEquals(null, dir.accessAcl(), "an ACL the mode says all of is not stored");
        assertEquals(null, AccessAcl.inherit(new byte[] {1, 2, 3}, 0644), "an invalid default ACL is not inherited");
    }

    @Test
    void filesAndDirectoriesMadeUnderADefaultAclInheritItDurably() throws Exception {
        LocalConfig config = formattedDevice();
        byte[] def = acl(0x01, 7, UNDEFINED, 0x02, 7, 1000, 0x04, 5, UNDEFINED, 0x10, 7, UNDEFINED, 0x20, 5, UNDEFINED);
        try (Volume v = BlockVolume.open(Posix.get(), config, true)) {
            v.mkdir("/d", 0755, null);
            assertEquals(false, v.inheritsDefaultAcl("/d"));
            v.setxattr("/d", AccessAcl.DEFAULT, ByteBuffer.wrap(def), 0);
            assertEquals(true, v.inheritsDefaultAcl("/d"));
            v.create("/d/f", Flags.O_RDWR, 0666, null).close();
            v.mkdir("/d/sub", 0777, null);
            v.symlink("f", "/d/link", null);
            v.syncDirectory("/");
        }
        try (Volume v = BlockVolume.open(Posix.get(), config, true)) {
            assertEquals(0664, v.getattr("/d/f").mode & 0777);
            assertArrayEquals(acl(0x01, 6, UNDEFINED, 0x02, 7, 1000, 0x04, 5, UNDEFINED, 0x10, 6, UNDEFINED, 0x20, 4, UNDEFINED),
                    xattr(v, "/d/f", AccessAcl.NAME));
            assertEquals(0775, v.getattr("/d/sub").mode & 0777);
            assertArrayEquals(def, xattr(v, "/d/sub", AccessAcl.DEFAULT), "a directory passes the default on");
            assertEquals(true, v.inheritsDefaultAcl("/d/sub"));
            assertEquals(0777, v.getattr("/d/link").mode & 0777, "symlinks take no ACL");
        }
    }

    private static byte[] xattr(Volume v, String path, String name) throws Exception {
        ByteBuffer got = ByteBuffer.allocate(256);
        int n = v.getxattr(path, name, got);
        return Arrays.copyOf(got.array(), n);
    }
}
