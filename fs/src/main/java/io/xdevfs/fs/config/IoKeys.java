package io.xdevfs.fs.config;

import io.xdevfs.tiers.IoSettings;
import io.xdevfs.tiers.StorageType;

import java.util.List;
import java.util.Map;

/**
 * The seed's I/O-path keys of {@code [local]}. use_direct_io and use_mmap are the storage types
 * direct and mmap spelled as switches: they may confirm the type but never contradict it.
 */
final class IoKeys extends KeyGroup {
    static final List<String> KEYS = List.of("use_direct_io", "io_alignment", "use_mmap", "mmap_size");

    private Boolean directIo;
    private Boolean mmap;
    private Integer alignment;
    private Long window;

    IoKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "use_direct_io" -> directIo = Values.bool(value);
            case "use_mmap" -> mmap = Values.bool(value);
            case "io_alignment" -> alignment = (int) powerOfTwo(value, 512, 1 << 16, "512 to 64K, e.g. 4096");
            case "mmap_size" -> window = powerOfTwo(value, 1 << 20, 1L << 30, "1M to 1G, e.g. 64M");
            default -> throw new IllegalStateException(key);
        }
    }

    private static long powerOfTwo(String value, long min, long max, String range) {
        long n = Values.size(value);
        if (n < min || n > max || Long.bitCount(n) != 1) {
            throw new IllegalArgumentException("expected a power of two from " + range);
        }
        return n;
    }

    IoSettings settings(StorageType type, Map<String, String> where, List<String> problems) {
        switchAgrees("use_direct_io", directIo, StorageType.DIRECT, type, where, problems);
        switchAgrees("use_mmap", mmap, StorageType.MMAP, type, where, problems);
        IoSettings d = IoSettings.defaults();
        return new IoSettings(alignment != null ? alignment : d.ioAlignment(), window != null ? window : d.mmapWindow());
    }

    private static void switchAgrees(String key, Boolean value, StorageType means, StorageType type,
                                     Map<String, String> where, List<String> problems) {
        if (value == null) {
            return;
        }
        if (value && type == StorageType.BLOCK) {
            problems.add(where.get(key) + " = true: " + (means == StorageType.DIRECT
                    ? "a block volume's data I/O is O_DIRECT already ([block] use_raw_device = true, the default)"
                    : "a block volume's files cannot be mapped (they are xdevfs's own, no kernel file is behind them; "
                            + "storage_type = mmap maps files of a base directory)"));
        } else if (value && type != means) {
            problems.add(where.get(key) + " = true: set storage_type = " + means.configName() + " instead (it is "
                    + type.configName() + ")");
        } else if (!value && type == means) {
            problems.add(where.get(key) + " = false: contradicts storage_type = " + means.configName()
                    + " (leave it out or true)");
        }
    }

    static String render(StorageType type, IoSettings io) {
        return switch (type) {
            case DIRECT -> io.ioAlignment() == 0 ? "# io_alignment: the backing filesystem's block size\n"
                    : "io_alignment = " + io.ioAlignment() + "\n";
            case MMAP -> "mmap_size = " + io.mmapWindow() + "\n";
            default -> "";
        };
    }
}
