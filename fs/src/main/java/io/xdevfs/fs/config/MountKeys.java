package io.xdevfs.fs.config;

import java.util.List;

/**
 * The {@code [local]} keys that set the mount itself rather than the volume: the kernel's readahead
 * ({@code read_ahead_kb}; -1 leaves the kernel's default), whether the kernel caches the mount's file
 * pages ({@code enable_page_cache}) and whether it serves extended attributes ({@code enable_xattr}).
 */
final class MountKeys extends KeyGroup {
    static final List<String> KEYS = List.of("read_ahead_kb", "enable_page_cache", "enable_xattr");

    int readAheadKb = -1;
    boolean pageCache = true;
    boolean xattrs = true;

    MountKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "read_ahead_kb" -> readAheadKb = Values.integer(value, 0, 1 << 20);
            case "enable_page_cache" -> pageCache = Values.bool(value);
            case "enable_xattr" -> xattrs = Values.bool(value);
            default -> throw new IllegalStateException(key);
        }
    }

    static String render(ConfigLoader.Config c) {
        return (c.readAheadKb() >= 0 ? "read_ahead_kb = " + c.readAheadKb() + "\n" : "")
                + "enable_page_cache = " + c.pageCache() + "\n"
                + "enable_xattr = " + c.xattrs() + "\n";
    }
}
