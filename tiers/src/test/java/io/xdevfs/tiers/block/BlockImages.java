package io.xdevfs.tiers.block;

import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.VolumeException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Sparse files standing in for block devices in the tests below the mount. */
public final class BlockImages {
    private BlockImages() {
    }

    /** {@code file} made a 64 MiB sparse image and formatted (1 MiB units, the sector size as found). */
    public static Path formatted(Path file) throws IOException, VolumeException {
        return formatted(file, 64L << 20);
    }

    /** A device of {@code size} bytes (a sparse file: only what is written takes space). */
    public static Path formatted(Path file, long size) throws IOException, VolumeException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        BlockFormat.format(Posix.get(), file, false, "", 1 << 20, 0, true);
        return file;
    }
}
