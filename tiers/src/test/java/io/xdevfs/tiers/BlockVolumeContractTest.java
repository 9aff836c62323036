package io.xdevfs.tiers;

import io.xdevfs.tiers.block.BlockFormat;
import io.xdevfs.tiers.block.BlockVolume;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The contract on storage_type = block, over a sparse file standing in for the device (the loop-device
 * tests in tests/ mount real ones): power cuts drop what the device file had not fsync'ed. Data with
 * O_DIRECT, the default; {@link BlockBufferedVolumeContractTest} runs it through the page cache.
 */
class BlockVolumeContractTest extends VolumeContract {
    private Path device() {
        return tmp.resolve("device.img");
    }

    /** use_raw_device */
    boolean rawDevice() {
        return true;
    }

    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withBlock(new BlockSettings(device(), 0, rawDevice(), true, 8)); // enable_trim, the default: discards race reuse
    }

    @Override
    Path powerCutRoot() {
        return tmp;
    }

    @Override
    Volume reopen() throws IOException, VolumeException {
        if (!Files.exists(device())) {
            try (RandomAccessFile f = new RandomAccessFile(device().toFile(), "rw")) {
                f.setLength(48L << 20); // small: a power cut copies the whole image
            }
            BlockFormat.format(posix, device(), false, "contract", 1 << 20, 0, true);
        }
        return BlockVolume.open(posix, config(), true);
    }
}
