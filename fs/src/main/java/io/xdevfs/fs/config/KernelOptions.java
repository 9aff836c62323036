package io.xdevfs.fs.config;

/**
 * What a mount asks of the kernel's FUSE beyond the defaults, each a {@code [local]} key
 * ({@link MountKeys}; the numbers behind the defaults are in docs/benchmarks.md).
 *
 * @param passthrough       {@code fuse_passthrough}: files whose bytes are a plain backing file are
 *                          read and written by the kernel itself
 * @param handleKillPriv    {@code fuse_handle_killpriv}: the daemon clears set-ID bits on unprivileged
 *                          writes (FUSE_HANDLE_KILLPRIV_V2), sparing a security.capability lookup per write
 * @param attrTimeoutMillis {@code fuse_attr_timeout}: how long the kernel keeps the attributes of a file
 *                          with one name; 0 for never
 * @param writebackCache    {@code fuse_writeback_cache}: the kernel gathers writes in its page cache and
 *                          sends them later, in large pieces (FUSE_WRITEBACK_CACHE)
 * @param parallelDirops    {@code fuse_parallel_dirops}: lookups and readdirs of one directory may run at
 *                          once (FUSE_PARALLEL_DIROPS)
 * @param asyncDio          {@code fuse_async_dio}: the kernel sends the pieces of one O_DIRECT read or
 *                          write without waiting for each (FUSE_ASYNC_DIO)
 * @param cacheSymlinks     {@code fuse_cache_symlinks}: the kernel keeps symlink targets (FUSE_CACHE_SYMLINKS)
 * @param syncThreads       {@code fuse_sync_threads}: threads that may run fsync requests while the session
 *                          reads on, so that concurrent writers' syncs overlap; 0 runs every sync on the
 *                          session thread
 */
public record KernelOptions(FusePassthrough passthrough, boolean handleKillPriv, long attrTimeoutMillis,
                            boolean writebackCache, boolean parallelDirops, boolean asyncDio, boolean cacheSymlinks,
                            int syncThreads) {
    public static final KernelOptions DEFAULTS = new KernelOptions(FusePassthrough.AUTO, true, 1000, false, true,
            true, true, 8);
}
