package io.xdevfs.codecs;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressorTest {
    private final Codec lz4 = Codecs.byName("lz4").orElseThrow();
    private final Random rnd = new Random(11);

    private int encode(Compressor c, byte[] raw) {
        ByteBuffer out = ByteBuffer.allocate(c.maxFrameLength(raw.length));
        return c.encode(ByteBuffer.wrap(raw), out) - ChunkFrame.HEADER;
    }

    @Test
    void belowTheThresholdChunksAreStoredRaw() {
        CompressionStats stats = new CompressionStats();
        Compressor c = new Compressor(lz4, 1, 4096, false, stats);
        assertEquals(4095, encode(c, new byte[4095]));
        assertTrue(encode(c, new byte[4096]) < 100);
        assertEquals(1, stats.frames(lz4));
        assertEquals(1, stats.frames(new NoneCodec()));
        assertEquals(8191, stats.rawBytes());
    }

    @Test
    void highEntropyIsNotEvenTried() {
        assertTrue(Entropy.bitsPerByte(ByteBuffer.wrap(Samples.of(Samples.Kind.RANDOM, 65536, rnd))) > 7.9);
        assertEquals(0.0, Entropy.bitsPerByte(ByteBuffer.wrap(new byte[65536])));
        assertTrue(Entropy.bitsPerByte(ByteBuffer.wrap(Samples.of(Samples.Kind.TEXT, 65536, rnd))) < 6);
        CompressionStats stats = new CompressionStats();
        Compressor c = new Compressor(lz4, 1, 0, false, stats);
        encode(c, Samples.of(Samples.Kind.RANDOM, 65536, rnd));
        assertEquals(0, stats.frames(lz4));
    }

    /** Data that passes the entropy test but does not compress (shuffled 7-bit symbols) pauses compression. */
    @Test
    void adaptiveCompressionPausesOnPoorRatioAndRetries() {
        CompressionStats stats = new CompressionStats();
        Compressor c = new Compressor(lz4, 1, 0, true, stats);
        for (int i = 0; i < 200 && c.pausedFor() != Compressor.PAUSE; i++) {
            byte[] poor = new byte[65536];
            for (int j = 0; j < poor.length; j++) {
                poor[j] = (byte) rnd.nextInt(100); // ~6.6 bits: passes the entropy test, lz4 barely gains
            }
            encode(c, poor);
        }
        assertTrue(c.recentRatio() < Compressor.MIN_RATIO, "ratio " + c.recentRatio());
        long tried = stats.frames(lz4) + 0;
        long rawBefore = stats.frames(new NoneCodec());
        byte[] text = Samples.of(Samples.Kind.TEXT, 65536, rnd);
        for (int i = 0; i < Compressor.PAUSE; i++) {
            assertEquals(65536, encode(c, text), "paused: stored raw");
        }
        assertEquals(rawBefore + Compressor.PAUSE, stats.frames(new NoneCodec()));
        assertTrue(encode(c, text) < 65536 / 2, "tried again after the pause");
        assertTrue(stats.frames(lz4) > tried);
    }
}
