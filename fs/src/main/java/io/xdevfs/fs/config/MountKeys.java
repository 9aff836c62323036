package io.xdevfs.fs.config;

import io.xdevfs.tiers.StorageType;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The {@code [local]} keys that set the mount itself rather than the volume: the kernel's readahead
 * ({@code read_ahead_kb}; -1 leaves the kernel's default), whether the kernel caches the mount's file
 * pages ({@code enable_page_cache}), whether it serves extended attributes ({@code enable_xattr}), and
 * what the mount asks of the kernel's FUSE ({@link KernelOptions}: the {@code fuse_*} keys).
 */
final class MountKeys extends KeyGroup {
    static final List<String> KEYS = List.of("read_ahead_kb", "enable_page_cache", "enable_xattr",
            "fuse_passthrough", "fuse_handle_killpriv", "fuse_attr_timeout", "fuse_writeback_cache",
            "fuse_parallel_dirops", "fuse_async_dio", "fuse_cache_symlinks", "fuse_sync_threads");

    int readAheadKb = -1;
    boolean pageCache = true;
    boolean xattrs = true;
    private FusePassthrough passthrough = KernelOptions.DEFAULTS.passthrough();
    private boolean handleKillPriv = KernelOptions.DEFAULTS.handleKillPriv();
    private long attrTimeoutMillis = KernelOptions.DEFAULTS.attrTimeoutMillis();
    private boolean writebackCache = KernelOptions.DEFAULTS.writebackCache();
    private boolean parallelDirops = KernelOptions.DEFAULTS.parallelDirops();
    private boolean asyncDio = KernelOptions.DEFAULTS.asyncDio();
    private boolean cacheSymlinks = KernelOptions.DEFAULTS.cacheSymlinks();
    private int syncThreads = KernelOptions.DEFAULTS.syncThreads();

    MountKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "read_ahead_kb" -> readAheadKb = Values.integer(value, 0, 1 << 20);
            case "enable_page_cache" -> pageCache = Values.bool(value);
            case "enable_xattr" -> xattrs = Values.bool(value);
            case "fuse_passthrough" -> passthrough = FusePassthrough.parse(value);
            case "fuse_handle_killpriv" -> handleKillPriv = Values.bool(value);
            case "fuse_attr_timeout" -> attrTimeoutMillis = Values.secondsAsMillis(value, 3600);
            case "fuse_writeback_cache" -> writebackCache = Values.bool(value);
            case "fuse_parallel_dirops" -> parallelDirops = Values.bool(value);
            case "fuse_async_dio" -> asyncDio = Values.bool(value);
            case "fuse_cache_symlinks" -> cacheSymlinks = Values.bool(value);
            case "fuse_sync_threads" -> syncThreads = Values.integer(value, 0, 64);
            default -> throw new IllegalStateException(key);
        }
    }

    /**
     * The kernel options, checked against each other: the kernel does not open files in passthrough on
     * a mount with the writeback cache, and direct_io ({@code enable_page_cache = false}) leaves the
     * writeback cache nothing to gather.
     */
    KernelOptions kernel(Map<String, String> where, List<String> problems, StorageType type) {
        if (type == StorageType.BLOCK && passthrough == FusePassthrough.ON) {
            problems.add(where.get("fuse_passthrough") + " = true: storage_type = block keeps files in its own "
                    + "layout on the device, with no backing file the kernel could read or write; set "
                    + "fuse_passthrough = auto or false");
        }
        if (writebackCache && passthrough == FusePassthrough.ON) {
            problems.add(where.get("fuse_writeback_cache") + " = true: excludes fuse_passthrough = true (the kernel "
                    + "opens no file in passthrough on a mount with the writeback cache); set fuse_passthrough = auto "
                    + "or false");
        }
        if (writebackCache && !pageCache) {
            problems.add(where.get("fuse_writeback_cache") + " = true: has no effect with enable_page_cache = false "
                    + "(every write goes straight to the daemon); remove one of the two");
        }
        return new KernelOptions(passthrough, handleKillPriv, attrTimeoutMillis, writebackCache, parallelDirops,
                asyncDio, cacheSymlinks, syncThreads);
    }

    static String render(ConfigLoader.Config c) {
        KernelOptions k = c.kernel();
        return (c.readAheadKb() >= 0 ? "read_ahead_kb = " + c.readAheadKb() + "\n" : "")
                + "enable_page_cache = " + c.pageCache() + "\n"
                + "enable_xattr = " + c.xattrs() + "\n"
                + "fuse_passthrough = " + k.passthrough().configName() + "\n"
                + "fuse_handle_killpriv = " + k.handleKillPriv() + "\n"
                + "fuse_attr_timeout = " + BigDecimal.valueOf(k.attrTimeoutMillis(), 3).stripTrailingZeros()
                .toPlainString() + "\n"
                + "fuse_writeback_cache = " + k.writebackCache() + "\n"
                + "fuse_parallel_dirops = " + k.parallelDirops() + "\n"
                + "fuse_async_dio = " + k.asyncDio() + "\n"
                + "fuse_cache_symlinks = " + k.cacheSymlinks() + "\n"
                + "fuse_sync_threads = " + k.syncThreads() + "\n";
    }
}
