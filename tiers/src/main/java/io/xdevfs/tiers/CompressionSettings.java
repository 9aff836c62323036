package io.xdevfs.tiers;

import io.xdevfs.codecs.Codec;

/**
 * The compression keys of {@code [local]} for {@code storage_type = compressed}.
 *
 * @param codec      {@code compression_type}
 * @param level      {@code compression_level}, within the codec's range
 * @param threshold  {@code compression_threshold}: raw pieces shorter than this are stored uncompressed
 * @param adaptive   {@code adaptive_compression}: pause compressing a file while it does not pay
 * @param chunkSize  {@code chunk_size}: the unit of compression and random access, a power of two from
 *                   4 KiB to 1 MiB; recorded in each file, so changing it affects new files only
 */
public record CompressionSettings(Codec codec, int level, int threshold, boolean adaptive, int chunkSize) {
    public static final int MIN_CHUNK = 4096;
    public static final int MAX_CHUNK = 1 << 20;

    public CompressionSettings {
        if (level < codec.minLevel() || level > codec.maxLevel()) {
            throw new IllegalArgumentException(codec.name() + " levels are " + codec.minLevel() + ".." + codec.maxLevel());
        }
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk size must be a power of two from 4K to 1M: " + chunkSize);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must not be negative");
        }
    }

    public int chunkShift() {
        return Integer.numberOfTrailingZeros(chunkSize);
    }
}
