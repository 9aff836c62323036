package io.xdevfs.tiers;

import java.nio.file.Path;

/**
 * {@code storage_type = block}: the seed's {@code [block]} section.
 *
 * @param device     the block device ({@code block_device}), formatted with {@code xdevfs format}
 * @param sectorSize the alignment of data I/O the mount expects ({@code sector_size}); 0 takes what the
 *                   device was formatted with, another value must match it
 * @param rawDevice  data I/O bypasses the page cache with O_DIRECT ({@code use_raw_device})
 * @param trim       freed allocation units are discarded in the background ({@code enable_trim})
 * @param queueDepth at most this many data reads and writes in flight on the device at once ({@code queue_depth})
 * @param files      the type whose format the files' bytes are stored in on the device: {@link StorageType#REGULAR}
 *                   (as they are), {@link StorageType#COMPRESSED} ({@code enable_compression}) or
 *                   {@link StorageType#SPARSE} ({@code enable_sparse}); the device's own allocation and
 *                   O_DIRECT ({@code use_raw_device}) are under every one
 */
public record BlockSettings(Path device, int sectorSize, boolean rawDevice, boolean trim, int queueDepth,
                            StorageType files) {
    public static final int DEFAULT_QUEUE_DEPTH = 32;

    /** Files stored as they are. */
    public BlockSettings(Path device, int sectorSize, boolean rawDevice, boolean trim, int queueDepth) {
        this(device, sectorSize, rawDevice, trim, queueDepth, StorageType.REGULAR);
    }

    public BlockSettings {
        if (files != StorageType.REGULAR && files != StorageType.COMPRESSED && files != StorageType.SPARSE) {
            throw new IllegalArgumentException("files on a block device are stored raw, compressed or sparse: " + files);
        }
        if (sectorSize != 0 && sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size must be 512 or 4096: " + sectorSize);
        }
        if (queueDepth < 1) {
            throw new IllegalArgumentException("queue depth must be positive: " + queueDepth);
        }
    }
}
