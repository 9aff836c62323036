package io.xdevfs.tiers.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one block cache of xdevfs (Caffeine, bounded in bytes by {@code cache_size}, optionally expiring
 * {@code cache_ttl} after a block was loaded): decompressed chunks of the compressed type, keyed by
 * the file id in each file's header, and blocks of the read cache ({@link CachingVolume}), keyed by
 * inode. Values are never mutated once published: writers replace or drop them. Coherence is the
 * user's job, by a lock (compressed files) or a version check (the read cache).
 *
 * <p>A fault in the cache can never change what is read: the first exception from Caffeine (a bug, an
 * out-of-memory in a weigher, ...) switches the cache off for good (every lookup then misses, nothing
 * more is stored) and is logged once through {@link #onFault}; the callers read the backing store.
 */
public final class BlockCache {
    private static final int ENTRY_OVERHEAD = 64;

    /** {@code fileId}: a compressed file's id, or an inode number; {@code chunk}: the block index. */
    public record Key(long fileId, long chunk) {
    }

    @FunctionalInterface
    public interface Loader {
        byte[] load() throws IOException;
    }

    private final Cache<Key, byte[]> cache;
    private volatile boolean broken;
    private static volatile java.util.function.Consumer<RuntimeException> onFault = e -> { };

    /** Where a cache fault is reported (the daemon logs it). */
    public static void onFault(java.util.function.Consumer<RuntimeException> listener) {
        onFault = listener;
    }

    /** For tests: a cache that behaves as given. */
    public BlockCache(Cache<Key, byte[]> cache) {
        this.cache = cache;
    }

    public BlockCache(long maxBytes, long ttlSeconds) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder();
        if (ttlSeconds > 0) {
            builder.expireAfterWrite(java.time.Duration.ofSeconds(ttlSeconds));
        }
        this.cache = maxBytes <= 0 ? null : builder
                .maximumWeight(maxBytes)
                .weigher((Key k, byte[] v) -> v.length + ENTRY_OVERHEAD)
                .executor(Runnable::run) // evict on the caller's thread: no background threads to account for
                .recordStats()
                .build();
    }

    private boolean usable() {
        return cache != null && !broken;
    }

    private void fault(RuntimeException e) {
        if (!broken) {
            broken = true;
            onFault.accept(e);
        }
        try {
            cache.invalidateAll();
        } catch (RuntimeException ignored) {
            // broken already: nothing is read from it any more
        }
    }

    public byte[] get(long fileId, long chunk, Loader loader) throws IOException {
        if (!usable()) {
            return loader.load();
        }
        try {
            return cache.get(new Key(fileId, chunk), k -> {
                try {
                    return loader.load();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            fault(e);
            return loader.load();
        }
    }

    public byte[] peek(long fileId, long chunk) {
        if (!usable()) {
            return null;
        }
        try {
            return cache.getIfPresent(new Key(fileId, chunk));
        } catch (RuntimeException e) {
            fault(e);
            return null;
        }
    }

    public void put(long fileId, long chunk, byte[] content) {
        if (usable()) {
            try {
                cache.put(new Key(fileId, chunk), content);
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    /**
     * Puts {@code content} only if {@code stillValid} holds, decided atomically with respect to every
     * other change of this key (an invalidation waits until the decision and the put are done), so no
     * reader ever finds a block that a completed change had made stale.
     */
    void putIf(long fileId, long chunk, byte[] content, java.util.function.BooleanSupplier stillValid) {
        if (usable()) {
            try {
                cache.asMap().compute(new Key(fileId, chunk), (k, old) -> stillValid.getAsBoolean() ? content : old);
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    public void invalidate(long fileId, long chunk) {
        if (usable()) {
            try {
                cache.invalidate(new Key(fileId, chunk));
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    /** Drops every block of {@code fileId} from {@code firstBlock} on (a truncation or an unlink). */
    void invalidateFrom(long fileId, long firstBlock) {
        if (usable()) {
            try {
                cache.asMap().keySet().removeIf(k -> k.fileId() == fileId && k.chunk() >= firstBlock);
            } catch (RuntimeException e) {
                fault(e);
            }
        }
    }

    public void registerGauges(Metrics metrics) {
        if (cache == null) {
            return;
        }
        metrics.gauge("cache_hits", () -> cache.stats().hitCount());
        metrics.gauge("cache_misses", () -> cache.stats().missCount());
        metrics.gauge("cache_evictions", () -> cache.stats().evictionCount());
        metrics.gauge("cache_hit_ratio", () -> cache.stats().hitRate());
        metrics.gauge("cache_size_bytes", () -> cache.policy().eviction().map(e -> e.weightedSize().orElse(0))
                .orElse(0L));
    }
}
