package io.xdevfs.tiers.block;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a device's first bytes say it already holds, so that {@code xdevfs format} does not destroy a
 * filesystem, a partition table or an LVM/LUKS volume by mistake. Not exhaustive (blkid knows more); the
 * common ones at their documented offsets.
 */
final class Signatures {
    /** Bytes to read from the start of the device. */
    static final int PROBE_BYTES = 72 * 1024;

    static String find(ByteBuffer head) {
        if (Superblock.decode(head.duplicate().position(0)).superblock() != null
                || Superblock.decode(head.duplicate().position(Geometry.SUPERBLOCK_BYTES).slice()).superblock() != null) {
            return "an xdevfs volume";
        }
        if (at(head, 1080, new byte[] {0x53, (byte) 0xEF})) {
            return "an ext2/ext3/ext4 filesystem";
        }
        if (text(head, 0, "XFSB")) {
            return "an XFS filesystem";
        }
        if (text(head, 65600, "_BHRfS_M")) {
            return "a btrfs filesystem";
        }
        if (text(head, 4086, "SWAPSPACE2") || text(head, 4086, "SWAP-SPACE")) {
            return "swap space";
        }
        if (at(head, 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE})) {
            return "a LUKS encrypted volume";
        }
        if (text(head, 512, "LABELONE") || text(head, 0, "LABELONE")) {
            return "an LVM physical volume";
        }
        if (text(head, 512, "EFI PART") || text(head, 4096, "EFI PART")) {
            return "a GPT partition table";
        }
        if (text(head, 0x8001, "CD001")) {
            return "an ISO 9660 filesystem";
        }
        if (text(head, 0, "hsqs")) {
            return "a squashfs filesystem";
        }
        if (at(head, 510, new byte[] {0x55, (byte) 0xAA})) {
            return "a DOS partition table or FAT filesystem (boot signature 55 AA)";
        }
        return null;
    }

    private static boolean text(ByteBuffer b, int offset, String s) {
        return at(b, offset, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean at(ByteBuffer b, int offset, byte[] expected) {
        if (offset + expected.length > b.limit()) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (b.get(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private Signatures() {
    }
}
