package io.xdevfs.fs.config;

import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.StorageType;

import java.util.List;
import java.util.Map;

/** The read cache keys of {@code [local]}; their defaults depend on the storage type. */
final class CacheKeys extends KeyGroup {
    static final List<String> KEYS = List.of("enable_read_cache", "enable_write_cache", "cache_size", "cache_ttl");

    private Boolean read;
    private Boolean write;
    private Long bytes;
    private Long ttl;

    CacheKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "enable_read_cache" -> read = Values.bool(value);
            case "enable_write_cache" -> write = Values.bool(value);
            case "cache_size" -> bytes = Values.size(value);
            case "cache_ttl" -> ttl = (long) Values.integer(value, 0, 365 * 86_400);
            default -> throw new IllegalStateException(key);
        }
    }

    CacheSettings settings(StorageType type, Map<String, String> where, List<String> problems) {
        CacheSettings d = CacheSettings.defaultsFor(type);
        boolean readCache = read != null ? read : d.readCache();
        boolean writeCache = write != null ? write : d.writeCache();
        if (writeCache && !readCache) {
            problems.add(where.get("enable_write_cache") + " = true: needs enable_read_cache = true (written blocks "
                    + "go to the read cache)");
        }
        if (!readCache) {
            for (String key : List.of("cache_size", "cache_ttl")) {
                if (where.containsKey(key)) {
                    problems.add(where.get(key) + ": has no effect with enable_read_cache = false"
                            + (read == null ? " (the default for storage_type = " + type.configName() + ")" : ""));
                }
            }
        }
        return new CacheSettings(readCache, writeCache, bytes != null ? bytes : d.bytes(), ttl != null ? ttl : d.ttlSeconds());
    }

    static String render(CacheSettings c) {
        return "enable_read_cache = " + c.readCache() + "\n"
                + (c.readCache() ? "enable_write_cache = " + c.writeCache() + "\n"
                        + "cache_size = " + c.bytes() + "\n"
                        + "cache_ttl = " + c.ttlSeconds() + "\n" : "");
    }
}
