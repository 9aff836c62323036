package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.VolumeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;

/** {@code xdevfs format}: writes an empty block volume onto a device. */
public final class BlockFormat {
    public static final int DEFAULT_UNIT = 1 << 20;

    /** What was written. */
    public record Result(long deviceBytes, int sectorSize, int unitSize, long units, long metadataBytes, UUID uuid) {
    }

    /**
     * Formats {@code device}. Refused when it is in use, or holds a filesystem, partition table or volume
     * signature (unless {@code force}); {@code sectorSize} 0 takes the device's logical block size.
     */
    public static Result format(Posix posix, Path device, boolean force, String label, int unitSize, int sectorSize,
                                boolean allowFile) throws VolumeException {
        Device d;
        try {
            d = Device.open(posix, device, false, 1, allowFile);
        } catch (PosixException e) {
            throw new VolumeException(device + ": " + DeviceProblems.describe(e.errno()));
        }
        try (d) {
            int sector = sectorSize == 0 ? Math.max(512, d.logicalSector()) : sectorSize;
            if (sector < d.logicalSector()) {
                throw new VolumeException(device + ": sector size " + sector + " is smaller than the device's logical "
                        + "block size " + d.logicalSector());
            }
            if (!force) {
                ByteBuffer head = ByteBuffer.allocate((int) Math.min(Signatures.PROBE_BYTES, d.size()));
                d.readMeta(head, 0);
                String found = Signatures.find(head.flip());
                if (found != null) {
                    throw new VolumeException(device + " holds " + found + "; formatting destroys it (use --force "
                            + "if that is what you want)");
                }
            }
            Geometry g;
            try {
                g = Geometry.plan(d.size(), sector, unitSize);
            } catch (IllegalArgumentException e) {
                throw new VolumeException(device + ": " + e.getMessage());
            }
            long[] now = BlockVolume.now();
            MetaStore.format(d, g, label, Flags.S_IFDIR | 0755, 0, 0, now);
            Superblock.Result[] written = MetaStore.readSuperblocks(d);
            Superblock sb = Superblock.newest(written[0], written[1])
                    .orElseThrow(() -> new VolumeException(device + ": the superblock did not read back"));
            return new Result(g.deviceBytes(), g.sectorSize(), g.unitSize(), g.units(), g.dataStart(), sb.uuid());
        } catch (VolumeException e) {
            throw e;
        } catch (IOException e) {
            throw new VolumeException(device + ": format failed: " + e.getMessage());
        }
    }

    private BlockFormat() {
    }
}
