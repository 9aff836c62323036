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
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        LocalConfig config = LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4));
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
}
