package io.xdevfs.tiers.format;

/** Offset arithmetic for block-aligned holes; {@code block} is a power of two. */
public final class HoleMath {
    public static long roundUp(long offset, int block) {
        return (offset + block - 1) & -block;
    }

    public static long roundDown(long offset, int block) {
        return offset & -block;
    }

    private HoleMath() {
    }
}
