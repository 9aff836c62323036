package io.xdevfs.tiers;

/** Offset arithmetic for block-aligned holes; {@code block} is a power of two. */
final class HoleMath {
    static long roundUp(long offset, int block) {
        return (offset + block - 1) & -block;
    }

    static long roundDown(long offset, int block) {
        return offset & -block;
    }

    private HoleMath() {
    }
}
