package io.xdevfs.fs.config;

import java.util.List;

/**
 * The {@code [local]} keys that set the mount itself rather than the volume: the kernel's readahead
 * ({@code read_ahead_kb}; -1 leaves the kernel's default), whether the kernel caches the mount's file
 * pages ({@code enable_page_cache}), whether it serves extended attributes ({@code enable_xattr}) and
 * whether the kernel may read and write plain backing files itself ({@code fuse_passthrough}) and
 * whether the daemon clears set-ID bits on writes, sparing the kernel's security.capability lookups
 * ({@code fuse_handle_killpriv}), and how long the kernel may keep the attributes of a file with one
 * name ({@code fuse_attr_timeout}).
 */
final class MountKeys extends KeyGroup {
    static final List<String> KEYS = List.of("read_ahead_kb", "enable_page_cache", "enable_xattr",
            "fuse_passthrough", "fuse_handle_killpriv", "fuse_attr_timeout");

    int readAheadKb = -1;
    boolean pageCache = true;
    boolean xattrs = true;
    FusePassthrough passthrough = FusePassthrough.AUTO;
    boolean handleKillPriv = true;
    long attrTimeoutMillis = ConfigLoader.Config.ATTR_TIMEOUT_MILLIS;

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
            default -> throw new IllegalStateException(key);
        }
    }

    static String render(ConfigLoader.Config c) {
        return (c.readAheadKb() >= 0 ? "read_ahead_kb = " + c.readAheadKb() + "\n" : "")
                + "enable_page_cache = " + c.pageCache() + "\n"
                + "enable_xattr = " + c.xattrs() + "\n"
                + "fuse_passthrough = " + c.passthrough().configName() + "\n"
                + "fuse_handle_killpriv = " + c.handleKillPriv() + "\n"
                + "fuse_attr_timeout = " + java.math.BigDecimal.valueOf(c.attrTimeoutMillis(), 3).stripTrailingZeros()
                .toPlainString() + "\n";
    }
}
