package io.xdevfs.tiers;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Decompressed chunks, keyed by the file id stored in each compressed file's header (stable across
 * renames, links and remounts, never shared by two files) and the chunk index; bounded in bytes
 * ({@code cache_size}). Values are the chunk's bytes up to its last written byte, never mutated once
 * published: a writer replaces them. The owning file's lock orders every put and invalidation after
 * the write it reflects, so a reader never sees bytes older than the last completed write.
 */
final class ChunkCache {
    private static final int ENTRY_OVERHEAD = 64;

    record Key(long fileId, long chunk) {
    }

    @FunctionalInterface
    interface Loader {
        byte[] load() throws IOException;
    }

    private final Cache<Key, byte[]> cache;

    ChunkCache(long maxBytes) {
        this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, byte[] v) -> v.length + ENTRY_OVERHEAD)
                .executor(Runnable::run) // evict on the caller's thread: no background threads to account for
                .recordStats()
                .build();
    }

    byte[] get(long fileId, long chunk, Loader loader) throws IOException {
        if (cache == null) {
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
        }
    }

    byte[] peek(long fileId, long chunk) {
        return cache == null ? null : cache.getIfPresent(new Key(fileId, chunk));
    }

    void put(long fileId, long chunk, byte[] content) {
        if (cache != null) {
            cache.put(new Key(fileId, chunk), content);
        }
    }

    void invalidate(long fileId, long chunk) {
        if (cache != null) {
            cache.invalidate(new Key(fileId, chunk));
        }
    }

    long hits() {
        return cache == null ? 0 : cache.stats().hitCount();
    }

    long misses() {
        return cache == null ? 0 : cache.stats().missCount();
    }
}
