package io.xdevfs.tiers;

/**
 * The {@code [hybrid]} settings of {@code storage_type = hybrid}: two tier volumes and the placement
 * policy between them. The tiers are whole volume configurations of their own (any single-tier type,
 * configured by the other sections), so the configuration is recursive.
 *
 * @param hot                 where new files are written ({@code hot_storage_type}, {@code hot_directory})
 * @param cold                where sealed files go ({@code cold_storage_type}, {@code cold_directory})
 * @param hotCacheSize        bytes the hot tier may hold: above {@link #highWater()} the least recently
 *                            written files move cold until it holds {@link #lowWater()}
 * @param hotAccessThreshold  a cold file opened for reading this many times within {@code coldTimeoutSec}
 *                            is promoted (0: never)
 * @param coldTimeoutSec      a file no one has open for writing and not written for this long goes cold
 * @param autoMigration       the background migrator runs; without it files move only on request
 *                            ({@code xdevfs tier migrate}) and when the hot tier is full
 * @param migrationBatchSize  at most this many files moved per {@code migrationIntervalSec}
 * @param migrationIntervalSec seconds between the migrator's passes
 * @param migrationRateLimit  bytes per second a background move copies at most
 */
public record HybridSettings(LocalConfig hot, LocalConfig cold, long hotCacheSize, int hotAccessThreshold,
                             int coldTimeoutSec, boolean autoMigration, int migrationBatchSize,
                             int migrationIntervalSec, long migrationRateLimit) {

    public static final long DEFAULT_RATE_LIMIT = 128L << 20;

    public HybridSettings {
        if (hot.storageType() == StorageType.HYBRID || cold.storageType() == StorageType.HYBRID) {
            throw new IllegalArgumentException("a tier of a hybrid volume is a single-tier type");
        }
    }

    /** The same with each tier's bound on open backing descriptors set to {@code n}. */
    public HybridSettings withMaxOpenFiles(int n) {
        return new HybridSettings(hot.withMaxOpenFiles(n), cold.withMaxOpenFiles(n), hotCacheSize, hotAccessThreshold,
                coldTimeoutSec, autoMigration, migrationBatchSize, migrationIntervalSec, migrationRateLimit);
    }

    /** 90% of {@code hot_cache_size}: past it, demotion starts regardless of age. */
    public long highWater() {
        return hotCacheSize / 10 * 9;
    }

    /** 75% of {@code hot_cache_size}: where demotion for room stops, and below which promotion may start. */
    public long lowWater() {
        return hotCacheSize / 4 * 3;
    }
}
