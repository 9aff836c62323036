package io.xdevfs.tiers;

/**
 * How bytes move to the backing files of the direct and mmap types.
 *
 * @param ioAlignment {@code storage_type = direct}: the block size of every O_DIRECT transfer; 0 for
 *                    the backing filesystem's block size
 * @param mmapWindow  {@code storage_type = mmap}: files are mapped in windows of this many bytes
 *                    ({@code mmap_size}, a power of two)
 */
public record IoSettings(int ioAlignment, long mmapWindow) {
    public static final long DEFAULT_MMAP_WINDOW = 64L << 20;

    public IoSettings {
        if (ioAlignment != 0 && Integer.bitCount(ioAlignment) != 1) {
            throw new IllegalArgumentException("io alignment must be a power of two: " + ioAlignment);
        }
        if (Long.bitCount(mmapWindow) != 1 || mmapWindow > (1L << 30)) {
            throw new IllegalArgumentException("mmap window must be a power of two up to 1 GiB: " + mmapWindow);
        }
    }

    public static IoSettings defaults() {
        return new IoSettings(0, DEFAULT_MMAP_WINDOW);
    }
}
