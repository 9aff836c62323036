package io.xdevfs.tiers.format;

import java.nio.ByteBuffer;

/**
 * One block-aligned direct buffer per thread for O_DIRECT transfers, so the data path allocates
 * nothing: FUSE hands over request buffers at arbitrary addresses, which O_DIRECT refuses.
 */
public final class AlignedBuffers {
    private final int alignment;
    private final int capacity;
    private final ThreadLocal<ByteBuffer> buffers;

    public AlignedBuffers(int alignment, int capacity) {
        this.alignment = alignment;
        this.capacity = capacity;
        this.buffers = ThreadLocal.withInitial(
                () -> ByteBuffer.allocateDirect(capacity + alignment).alignedSlice(alignment));
    }

    /** This thread's buffer, cleared; {@link #capacity()} bytes, the first at an aligned address. */
    public ByteBuffer get() {
        return buffers.get().clear().limit(capacity);
    }

    int capacity() {
        return capacity;
    }

    int alignment() {
        return alignment;
    }
}
