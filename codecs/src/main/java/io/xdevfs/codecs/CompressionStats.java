package io.xdevfs.codecs;

import java.util.concurrent.atomic.LongAdder;

/**
 * What compression achieved: raw and stored bytes of every frame written, and frames per codec
 * (a chunk stored raw counts under {@code none}). Lock-free; shared by all files of a volume.
 */
public final class CompressionStats {
    private final LongAdder rawBytes = new LongAdder();
    private final LongAdder storedBytes = new LongAdder();
    private final LongAdder[] framesByCodec = new LongAdder[8];

    public CompressionStats() {
        for (int i = 0; i < framesByCodec.length; i++) {
            framesByCodec[i] = new LongAdder();
        }
    }

    void record(Codec used, int raw, int stored) {
        rawBytes.add(raw);
        storedBytes.add(stored);
        framesByCodec[used.id()].increment();
    }

    public long rawBytes() {
        return rawBytes.sum();
    }

    public long storedBytes() {
        return storedBytes.sum();
    }

    /** raw / stored, 1.0 before anything was written. */
    public double ratio() {
        long stored = storedBytes();
        return stored == 0 ? 1.0 : (double) rawBytes() / stored;
    }

    public long frames(Codec codec) {
        return framesByCodec[codec.id()].sum();
    }
}
