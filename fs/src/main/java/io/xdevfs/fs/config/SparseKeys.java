package io.xdevfs.fs.config;

import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;

import java.util.List;
import java.util.Map;

/** The {@code [local]} keys of {@code storage_type = sparse}. */
final class SparseKeys extends KeyGroup {
    static final List<String> KEYS = List.of("enable_sparse", "hole_detection_size", "zero_block_threshold");

    private Boolean enable;
    private int holeBlock = LocalConfig.DEFAULT_HOLE_BLOCK_SIZE;

    SparseKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "enable_sparse" -> enable = Values.bool(value);
            case "hole_detection_size" -> holeBlock = holeBlockSize(value);
            case "zero_block_threshold" -> zeroBlockThreshold(value);
            default -> throw new IllegalStateException(key);
        }
    }

    private static int holeBlockSize(String v) {
        long n = Values.size(v);
        if (n < 512 || n > (1 << 20) || Long.bitCount(n) != 1) {
            throw new IllegalArgumentException("expected a power of two from 512 to 1M, e.g. 4096");
        }
        return (int) n;
    }

    /** The seed's "95% zero is a hole" would turn non-zero bytes into zeros: only 1.0 keeps data. */
    private static void zeroBlockThreshold(String v) {
        double t;
        try {
            t = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            t = Double.NaN;
        }
        if (t != 1.0) {
            throw new IllegalArgumentException("only 1.0 is supported: a block becomes a hole only when every "
                    + "byte is zero, so no written byte is ever lost");
        }
    }

    /** {@code enable_sparse} as set: true, false, or null when not set. */
    Boolean enabled() {
        return enable;
    }

    /** The hole block size; the keys on another type, or sparse switched off on this one, are problems. */
    int holeBlockSize(StorageType type, Map<String, String> where, List<String> problems) {
        boolean sparse = type == StorageType.SPARSE;
        if (sparse && Boolean.FALSE.equals(enable)) {
            problems.add(where.get("enable_sparse") + " = false: contradicts storage_type = sparse (leave it out or true)");
        }
        return holeBlock;
    }

    static String render(LocalConfig c) {
        return c.filesStoredAs() == StorageType.SPARSE ? "hole_detection_size = " + c.holeBlockSize() + "\n" : "";
    }
}
