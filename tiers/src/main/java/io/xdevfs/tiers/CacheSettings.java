package io.xdevfs.tiers;

/**
 * The cache keys of {@code [local]}.
 *
 * @param readCache  {@code enable_read_cache}: keep read blocks in memory (on compressed files: the
 *                   decompressed chunks)
 * @param writeCache {@code enable_write_cache}: also keep the blocks a write fills
 * @param bytes      {@code cache_size}: the bound of the cache in bytes
 * @param ttlSeconds {@code cache_ttl}: a block is dropped this long after it was loaded; 0 for never
 */
public record CacheSettings(boolean readCache, boolean writeCache, long bytes, long ttlSeconds) {
    public static final long DEFAULT_BYTES = 128L << 20;
    public static final long DEFAULT_TTL = 300;

    public CacheSettings {
        if (bytes < 0 || ttlSeconds < 0) {
            throw new IllegalArgumentException("cache size and ttl must not be negative");
        }
    }

    /**
     * The defaults of a storage type: on compressed files the chunk cache is on (it is what makes reads
     * and partial writes cheap); on the others the kernel's page cache already caches, so the daemon's
     * own read cache is off unless asked for.
     */
    public static CacheSettings defaultsFor(StorageType type) {
        return new CacheSettings(type == StorageType.COMPRESSED, false, DEFAULT_BYTES, DEFAULT_TTL);
    }

    /** The bytes the cache may hold; 0 when it is off. */
    public long effectiveBytes() {
        return readCache ? bytes : 0;
    }
}
