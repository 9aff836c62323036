package io.xdevfs.fs.config;

import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code [block]} section: the device of {@code storage_type = block} and how its I/O is done. */
final class BlockKeys extends KeyGroup {
    static final List<String> KEYS = List.of("block_device", "sector_size", "use_raw_device", "enable_trim", "queue_depth");
    /** [local] keys about a base directory or its files' preallocation, which a block volume has not. */
    private static final List<String> NOT_FOR_BLOCK = List.of("base_directory", "auto_create_dirs", "use_fallocate",
            "preallocate_files", "default_file_size", "extent_size");

    private Path device;
    private int sectorSize;
    private boolean rawDevice = true;
    private boolean trim = true;
    private int queueDepth = BlockSettings.DEFAULT_QUEUE_DEPTH;

    BlockKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "block_device" -> {
                if (!value.startsWith("/")) {
                    throw new IllegalArgumentException("expected an absolute path, e.g. /dev/nvme0n1p2");
                }
                device = Path.of(value).normalize();
            }
            case "sector_size" -> {
                if (!value.equals("512") && !value.equals("4096")) {
                    throw new IllegalArgumentException("expected 512 or 4096");
                }
                sectorSize = Integer.parseInt(value);
            }
            case "use_raw_device" -> rawDevice = Values.bool(value);
            case "enable_trim" -> trim = Values.bool(value);
            case "queue_depth" -> queueDepth = Values.integer(value, 1, 1024);
            default -> throw new IllegalStateException(key);
        }
    }

    /**
     * The block settings for {@code storage_type = block} (null for other types), its files stored as
     * {@code files}; a missing device is a problem. {@code wholeVolume} false: the block device holds a
     * hybrid's tier, and the keys a block volume has no use for (base_directory, preallocation) belong
     * to the namespace or the other tier.
     */
    BlockSettings settings(StorageType type, StorageType files, Path configFile, Map<String, String> where,
                           List<String> problems, boolean wholeVolume) {
        if (type != StorageType.BLOCK) {
            return null;
        }
        for (String key : wholeVolume ? NOT_FOR_BLOCK : List.<String>of()) {
            if (where.containsKey(key)) {
                problems.add(where.get(key) + ": does not apply to storage_type = block (its files live on block_device)");
            }
        }
        if (device == null) {
            problems.add(configFile + ": storage_type = block needs [block] block_device (a device formatted with "
                    + "xdevfs format)");
            return null;
        }
        return new BlockSettings(device, sectorSize, rawDevice, trim, queueDepth, files);
    }

    static String render(LocalConfig c) {
        BlockSettings b = c.block();
        if (b == null) {
            return "";
        }
        return "[block]\nblock_device = " + b.device() + "\n"
                + (b.sectorSize() == 0 ? "# sector_size: as formatted\n" : "sector_size = " + b.sectorSize() + "\n")
                + "use_raw_device = " + b.rawDevice() + "\n"
                + "enable_trim = " + b.trim() + "\n"
                + "queue_depth = " + b.queueDepth() + "\n"
                + "# files on the device: " + (b.files() == StorageType.REGULAR ? "as they are" : b.files().configName())
                + "\n";
    }
}
