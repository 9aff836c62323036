package io.xdevfs.posix;

import jnr.ffi.Pointer;

/**
 * Writes a {@link Stat} as the platform's struct stat into native memory: for the FUSE bridge, which
 * answers getattr into the kernel's buffer. Kept apart from {@link Stat} so that the engine sees a
 * plain value with no native type in its API.
 */
public final class StatLayout {
    private StatLayout() {
    }

    /** {@code buffer} holds a struct stat the caller zeroed. */
    public static void write(Stat stat, Pointer buffer) {
        NativeLayouts.writeStat(stat, buffer);
    }
}
