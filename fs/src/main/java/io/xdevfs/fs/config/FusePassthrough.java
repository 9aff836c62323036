package io.xdevfs.fs.config;

/**
 * {@code fuse_passthrough}: whether files whose bytes are a plain backing file are opened in FUSE
 * passthrough (the kernel reads and writes the backing file itself). {@code auto} uses it where it
 * works (root, Linux 6.9+, the kernel offers it) and stays quiet elsewhere; {@code true} refuses to
 * mount where it cannot work; {@code false} sends every read and write to the daemon.
 */
public enum FusePassthrough {
    AUTO, ON, OFF;

    static FusePassthrough parse(String v) {
        if (v.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        try {
            return Values.bool(v) ? ON : OFF;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected auto, true or false");
        }
    }

    public String configName() {
        return this == AUTO ? "auto" : this == ON ? "true" : "false";
    }
}
