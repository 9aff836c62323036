package io.xdevfs.fs.config;

import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code [hybrid]} keys: the seed's eleven plus xdevfs's {@code migration_rate_limit}; all only for
 * storage_type = hybrid. {@code intent_log_directory} and {@code intent_log_size} may stand here or in
 * {@code [tmpfs]}: they make the tmpfs tier's fsync durable. The tiers' own settings come from the other sections ({@code [tmpfs]} for a
 * tmpfs tier, the compression keys for a compressed one), which the loader applies per tier.
 */
final class HybridKeys extends KeyGroup {
    static final List<String> KEYS = List.of("hot_storage_type", "hot_directory", "hot_cache_size",
            "hot_access_threshold", "cold_storage_type", "cold_directory", "cold_timeout_sec", "cold_enable_compression",
            "auto_migration", "migration_batch_size", "migration_interval_sec", "migration_rate_limit",
            "intent_log_directory", "intent_log_size");

    static final Path DEFAULT_HOT_DIRECTORY = Path.of("/dev/shm/xdevfs-hot");
    static final Path DEFAULT_COLD_DIRECTORY = Path.of("/var/lib/xdevfs/cold");

    StorageType hotType = StorageType.TMPFS;
    StorageType coldType = StorageType.COMPRESSED;
    Path hotDirectory = DEFAULT_HOT_DIRECTORY;
    Path coldDirectory = DEFAULT_COLD_DIRECTORY;
    private long hotCacheSize = 256L << 20;
    private int accessThreshold = 10;
    private int coldTimeout = 1800;
    Boolean coldCompression;
    private boolean autoMigration = true;
    private int batch = 100;
    private int interval = 60;
    private long rate = HybridSettings.DEFAULT_RATE_LIMIT;

    /** The tmpfs tier's keys: the intent log's may be given here too, for the hot tier (once, here or there). */
    private final TmpfsKeys tmpfs;

    HybridKeys(TmpfsKeys tmpfs) {
        super(KEYS);
        this.tmpfs = tmpfs;
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "hot_storage_type" -> hotType = tierType(value);
            case "cold_storage_type" -> coldType = tierType(value);
            case "hot_directory" -> hotDirectory = absolute(value);
            case "cold_directory" -> coldDirectory = absolute(value);
            case "hot_cache_size" -> hotCacheSize = positive(Values.size(value));
            case "hot_access_threshold" -> accessThreshold = Values.integer(value, 0, 1_000_000);
            case "cold_timeout_sec" -> coldTimeout = Values.integer(value, 1, 365 * 86_400);
            case "cold_enable_compression" -> coldCompression = Values.bool(value);
            case "auto_migration" -> autoMigration = Values.bool(value);
            case "migration_batch_size" -> batch = Values.integer(value, 1, 1_000_000);
            case "migration_interval_sec" -> interval = Values.integer(value, 1, 86_400);
            case "migration_rate_limit" -> rate = positive(Values.size(value));
            case "intent_log_directory", "intent_log_size" -> tmpfs.parse(key, value);
            default -> throw new IllegalStateException(key);
        }
    }

    private static long positive(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("expected a size above zero");
        }
        return n;
    }

    private static StorageType tierType(String value) {
        StorageType t = StorageType.byName(value).orElse(null);
        String allowed = "regular, mmap, direct, tmpfs, sparse, compressed, block";
        if (t == null || t == StorageType.HYBRID) {
            throw new IllegalArgumentException("expected a single-tier storage type: one of " + allowed);
        }
        if (!t.implemented) {
            throw new IllegalArgumentException("not supported yet as a tier (supported now: " + allowed + ")");
        }
        return t;
    }

    private static Path absolute(String value) {
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path");
        }
        return Path.of(value).normalize();
    }

    /** The policy over two tier configurations the loader built; problems of the combination are added. */
    HybridSettings settings(LocalConfig hot, LocalConfig cold, Map<String, String> where,
                            List<String> problems) {
        if (Boolean.TRUE.equals(coldCompression) && coldType != StorageType.COMPRESSED && coldType != StorageType.BLOCK) {
            problems.add(where.get("cold_enable_compression") + " = true: needs cold_storage_type = compressed, or block "
                    + "for compressed files on the device (it is " + coldType.configName() + ")");
        }
        if (Boolean.FALSE.equals(coldCompression) && coldType == StorageType.COMPRESSED) {
            problems.add(where.get("cold_enable_compression") + " = false: contradicts cold_storage_type = compressed "
                    + "(choose regular or sparse for an uncompressed cold tier)");
        }
        return new HybridSettings(hot, cold, hotCacheSize, accessThreshold, coldTimeout, autoMigration, batch, interval,
                rate);
    }

    /** A tier's directory line; a block tier has none (its files live on [block] block_device). */
    private static String directory(String tier, LocalConfig t) {
        return t.block() != null ? "# " + tier + "_directory: none, the tier is on block_device\n"
                : tier + "_directory = " + t.baseDirectory() + "\n";
    }

    static String render(LocalConfig c) {
        HybridSettings h = c.hybrid();
        if (h == null) {
            return "";
        }
        return "[hybrid]\n"
                + "hot_storage_type = " + h.hot().storageType().configName() + "\n"
                + directory("hot", h.hot())
                + "hot_cache_size = " + h.hotCacheSize() + "\n"
                + "hot_access_threshold = " + h.hotAccessThreshold() + "\n"
                + "cold_storage_type = " + h.cold().storageType().configName() + "\n"
                + directory("cold", h.cold())
                + "cold_timeout_sec = " + h.coldTimeoutSec() + "\n"
                + "cold_enable_compression = " + (h.cold().filesStoredAs() == StorageType.COMPRESSED) + "\n"
                + "auto_migration = " + h.autoMigration() + "\n"
                + "migration_batch_size = " + h.migrationBatchSize() + "\n"
                + "migration_interval_sec = " + h.migrationIntervalSec() + "\n"
                + "migration_rate_limit = " + h.migrationRateLimit() + "\n";
    }
}
