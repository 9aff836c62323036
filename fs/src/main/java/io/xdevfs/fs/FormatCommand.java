package io.xdevfs.fs;

import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.VolumeException;
import io.xdevfs.tiers.block.BlockFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code xdevfs format DEVICE}: an empty volume for storage_type = block. */
@Command(name = "format", mixinStandardHelpOptions = true,
        description = "Write an empty xdevfs volume onto a block device (storage_type = block). Destroys what "
                + "the device held; refuses a device that is in use or holds a filesystem unless --force.")
final class FormatCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DEVICE")
    Path device;

    @Option(names = "--force", description = "Overwrite a device that holds a filesystem, partition table or volume.")
    boolean force;

    @Option(names = "--label", paramLabel = "L", defaultValue = "", description = "A name for the volume (up to 64 bytes).")
    String label;

    @Option(names = "--unit", paramLabel = "SIZE", defaultValue = "1M",
            description = "Allocation unit, a power of two from 1M to 16M (default ${DEFAULT-VALUE}): each file "
                    + "takes whole units; larger units suit large WAL segments.")
    String unit;

    @Option(names = "--sector-size", paramLabel = "BYTES", defaultValue = "0",
            description = "512 or 4096; default the device's logical block size.")
    int sectorSize;

    @Override
    public Integer call() {
        long unitBytes;
        try {
            unitBytes = io.xdevfs.fs.config.Values.size(unit);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--unit " + unit + ": " + e.getMessage());
        }
        if (unitBytes > Integer.MAX_VALUE) {
            throw new UsageException("--unit " + unit + ": expected a power of two from 1M to 16M");
        }
        System.out.println("formatting " + device + " ...");
        try {
            BlockFormat.Result r = BlockFormat.format(Posix.get(), device.toAbsolutePath(), force, label,
                    (int) unitBytes, sectorSize, false);
            System.out.printf("%s: %d bytes, %d-byte sectors, %d allocation units of %d MiB, %d bytes of metadata "
                            + "(superblocks, 2 checkpoint slots, journal), uuid %s%n", device, r.deviceBytes(),
                    r.sectorSize(), r.units(), r.unitSize() >> 20, r.metadataBytes(), r.uuid());
            return 0;
        } catch (VolumeException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
