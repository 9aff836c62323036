package io.xdevfs.fs.config;

import io.xdevfs.codecs.Codec;
import io.xdevfs.codecs.CodecUnavailableException;
import io.xdevfs.codecs.Codecs;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.LocalConfig;

import java.util.List;
import java.util.Map;

/**
 * The {@code [local]} keys of {@code storage_type = compressed}: parsed one by one as the loader meets
 * them, then checked together (a level depends on the codec, a threshold on the chunk size).
 */
final class CompressionKeys extends KeyGroup {
    static final List<String> KEYS = List.of("enable_compression", "compression_type", "compression_level",
            "compression_threshold", "adaptive_compression", "chunk_size");

    private final CompressionSettings defaults = LocalConfig.defaultCompression();
    private Boolean enable;
    private Codec codec;
    private Integer level;
    private Long threshold;
    private Boolean adaptive;
    private Integer chunkSize;

    CompressionKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "enable_compression" -> enable = Values.bool(value);
            case "compression_type" -> codec = codec(value);
            case "compression_level" -> level = Values.integer(value, -1000, 1000);
            case "compression_threshold" -> threshold = Values.size(value);
            case "adaptive_compression" -> adaptive = Values.bool(value);
            case "chunk_size" -> chunkSize = chunkSize(value);
            default -> throw new IllegalStateException(key);
        }
    }

    private static Codec codec(String name) {
        Codec c = Codecs.byName(name).orElseThrow(() -> new IllegalArgumentException("expected one of "
                + Codecs.names()));
        try {
            c.requireAvailable();
        } catch (CodecUnavailableException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return c;
    }

    private static int chunkSize(String value) {
        long n = Values.size(value);
        if (Long.bitCount(n) != 1 || n < CompressionSettings.MIN_CHUNK || n > CompressionSettings.MAX_CHUNK) {
            throw new IllegalArgumentException("expected a power of two from 4K to 1M, e.g. 64K");
        }
        return (int) n;
    }

    /** {@code enable_compression} as set: true, false, or null when not set. */
    Boolean enabled() {
        return enable;
    }

    /** The settings, or null after adding to {@code problems}; {@code where} maps keys to "file:line: [local] key". */
    CompressionSettings settings(boolean compressed, Map<String, String> where, List<String> problems) {
        if (!compressed) {
            return defaults; // the loader reports keys of another type (StorageType#ownKeys)
        }
        if (Boolean.FALSE.equals(enable)) {
            problems.add(where.get("enable_compression") + " = false: contradicts storage_type = compressed "
                    + "(leave it out or true)");
        }
        Codec c = codec != null ? codec : defaults.codec();
        int lvl = level != null ? level : (codec == null ? defaults.level() : c.defaultLevel());
        if (lvl < c.minLevel() || lvl > c.maxLevel()) {
            problems.add(where.get("compression_level") + " = " + lvl + ": " + c.name() + " levels are "
                    + c.minLevel() + " to " + c.maxLevel() + (c.minLevel() == c.maxLevel() ? " (it has no levels)" : ""));
        }
        int chunk = chunkSize != null ? chunkSize : defaults.chunkSize();
        long thr = threshold != null ? threshold : defaults.threshold();
        if (thr > chunk) {
            problems.add(where.get("compression_threshold") + " = " + thr + ": larger than chunk_size (" + chunk
                    + "), so nothing would be compressed");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new CompressionSettings(c, lvl, (int) thr, adaptive != null ? adaptive : defaults.adaptive(), chunk);
    }

    static String render(CompressionSettings s) {
        return "enable_compression = true\n"
                + "compression_type = " + s.codec().name() + "\n"
                + "compression_level = " + s.level() + "\n"
                + "compression_threshold = " + s.threshold() + "\n"
                + "adaptive_compression = " + s.adaptive() + "\n"
                + "chunk_size = " + s.chunkSize() + "\n";
    }
}
