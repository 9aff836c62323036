package io.xdevfs.codecs;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoneCodecTest {
    @Test
    void roundTripsAndIsFoundByNameAndId() {
        Codec codec = Codecs.byName("none").orElseThrow();
        assertEquals(codec, Codecs.byId(NoneCodec.ID).orElseThrow());
        byte[] raw = new byte[5000];
        new Random(1).nextBytes(raw);
        ByteBuffer stored = ByteBuffer.allocate(codec.maxCompressedLength(raw.length));
        assertEquals(raw.length, codec.compress(ByteBuffer.wrap(raw), stored, 0));
        ByteBuffer back = ByteBuffer.allocate(raw.length);
        codec.decompress(stored.flip(), back, raw.length);
        assertEquals(ByteBuffer.wrap(raw), back.flip());
    }

    @Test
    void rejectsALengthMismatch() {
        assertThrows(IllegalArgumentException.class,
                () -> new NoneCodec().decompress(ByteBuffer.allocate(3), ByteBuffer.allocate(4), 4));
    }
}
