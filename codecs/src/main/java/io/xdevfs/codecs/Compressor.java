package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * The seed's decision of whether to compress, then the frame. Chunks below the threshold, samples
 * whose entropy says they will not shrink (over 7.5 bits per byte) and, with adaptive compression,
 * chunks written while the recent ratio is below 1.2 are stored raw (still framed and checksummed).
 * After {@link #PAUSE} raw chunks an adaptive compressor tries again, so a file whose data turns
 * compressible is compressed again.
 *
 * <p>Thread-safe; the adaptive state is a heuristic and tolerates racing updates. One per file, so
 * that one file's incompressible data does not switch compression off for another.
 */
public final class Compressor {
    static final double MIN_RATIO = 1.2;
    static final double MAX_ENTROPY = 7.5;
    static final int PAUSE = 64;

    private static final Codec NONE = new NoneCodec();

    private final Codec codec;
    private final int level;
    private final int threshold;
    private final boolean adaptive;
    private final CompressionStats stats;
    private volatile double recentRatio = 2.0;
    private volatile int skip;

    public Compressor(Codec codec, int level, int threshold, boolean adaptive, CompressionStats stats) {
        this.codec = codec;
        this.level = level;
        this.threshold = threshold;
        this.adaptive = adaptive;
        this.stats = stats;
    }

    public int maxFrameLength(int rawLength) {
        return ChunkFrame.maxFrameLength(codec, rawLength);
    }

    /** Frames {@code raw}'s remaining bytes at {@code out}'s position; returns the frame length. */
    public int encode(ByteBuffer raw, ByteBuffer out) {
        int start = out.position();
        int rawLength = raw.remaining();
        boolean tried = worthTrying(raw);
        Codec used = ChunkFrame.encode(tried ? codec : NONE, level, raw, out);
        int stored = out.position() - start - ChunkFrame.HEADER;
        stats.record(used, rawLength, stored);
        if (tried && adaptive) {
            learn(rawLength, stored);
        }
        return out.position() - start;
    }

    private boolean worthTrying(ByteBuffer raw) {
        if (codec.id() == NoneCodec.ID || raw.remaining() < threshold || Entropy.bitsPerByte(raw) > MAX_ENTROPY) {
            return false;
        }
        if (!adaptive) {
            return true;
        }
        if (skip > 0) {
            skip--;
            return false;
        }
        return true;
    }

    /** What a chunk that was tried achieved steers the next decisions. */
    private void learn(int rawLength, int stored) {
        recentRatio = 0.9 * recentRatio + 0.1 * ((double) rawLength / Math.max(1, stored));
        if (recentRatio < MIN_RATIO) {
            skip = PAUSE;
        }
    }

    int pausedFor() {
        return skip;
    }

    double recentRatio() {
        return recentRatio;
    }
}
