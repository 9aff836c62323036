package io.xdevfs.codecs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecRoundTripTest {
    private static final int CHUNK = 64 * 1024;

    static Stream<Arguments> codecsAndLevels() {
        List<Arguments> out = new ArrayList<>();
        for (Codec c : Codecs.all()) {
            for (int level : new int[] {c.minLevel(), c.defaultLevel(), c.maxLevel()}) {
                out.add(Arguments.of(c.name(), level));
            }
        }
        return out.stream().distinct();
    }

    /** Random sizes 0..chunk, every kind of data, heap and direct buffers in every combination. */
    @ParameterizedTest(name = "{0} level {1}")
    @MethodSource("codecsAndLevels")
    void framesRoundTrip(String name, int level) throws Exception {
        Codec codec = Codecs.byName(name).orElseThrow();
        codec.requireAvailable();
        Random rnd = new Random(name.hashCode() * 31L + level);
        int rounds = level > 9 ? 6 : 24; // the slowest levels (zstd 22, brotli 11) need seconds per chunk
        for (int round = 0; round < rounds; round++) {
            Samples.Kind kind = Samples.Kind.values()[round % Samples.Kind.values().length];
            int length = round < 4 ? new int[] {0, 1, 7, CHUNK}[round] : rnd.nextInt(CHUNK + 1);
            byte[] raw = Samples.of(kind, length, rnd);
            boolean directIn = rnd.nextBoolean();
            boolean directOut = rnd.nextBoolean();
            ByteBuffer frame = buffer(ChunkFrame.maxFrameLength(codec, length), directIn);
            ChunkFrame.encode(codec, level, buffer(raw, directIn), frame);
            frame.flip();
            assertTrue(frame.remaining() <= ChunkFrame.HEADER + Math.max(length, 0));
            ByteBuffer back = buffer(length + 3, directOut).position(3);
            assertEquals(length, ChunkFrame.decode(frame, back), kind + " " + length);
            assertEquals(ByteBuffer.wrap(raw), back.flip().position(3), kind + " " + length);
            assertEquals(0, frame.remaining());
        }
    }

    @Test
    void compressibleDataShrinksAndRandomDataIsStoredRaw() {
        Random rnd = new Random(7);
        for (Codec c : Codecs.all()) {
            if (c.id() == NoneCodec.ID) {
                continue;
            }
            byte[] text = Samples.of(Samples.Kind.WAL, CHUNK, rnd);
            ByteBuffer frame = ByteBuffer.allocate(ChunkFrame.maxFrameLength(c, CHUNK));
            assertEquals(c, ChunkFrame.encode(c, c.defaultLevel(), ByteBuffer.wrap(text), frame), c.name());
            assertTrue(frame.position() < CHUNK / 2, c.name() + " stored " + frame.position());
            byte[] noise = Samples.of(Samples.Kind.RANDOM, CHUNK, rnd);
            frame.clear();
            assertEquals(NoneCodec.ID, ChunkFrame.encode(c, c.defaultLevel(), ByteBuffer.wrap(noise), frame).id());
            assertEquals(ChunkFrame.HEADER + CHUNK, frame.position());
        }
    }

    /** Every single-byte change of a frame is detected, whatever the codec. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecNames")
    void everyFlippedByteIsDetected(String name) {
        Codec codec = Codecs.byName(name).orElseThrow();
        byte[] raw = Samples.of(Samples.Kind.TEXT, 700, new Random(3));
        ByteBuffer frame = ByteBuffer.allocate(ChunkFrame.maxFrameLength(codec, raw.length));
        ChunkFrame.encode(codec, codec.defaultLevel(), ByteBuffer.wrap(raw), frame);
        byte[] good = java.util.Arrays.copyOf(frame.array(), frame.position());
        for (int i = 0; i < good.length; i++) {
            for (int bit : new int[] {0, 7}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                ByteBuffer back = ByteBuffer.allocate(1 << 16);
                int at = i;
                assertThrows(CorruptDataException.class, () -> ChunkFrame.decode(ByteBuffer.wrap(bad), back),
                        name + ": flipped bit " + bit + " of byte " + at + " went unnoticed");
            }
        }
    }

    @Test
    void aTruncatedFrameIsCorruptNotAnException() {
        Codec codec = Codecs.byName("lz4").orElseThrow();
        ByteBuffer frame = ByteBuffer.allocate(ChunkFrame.maxFrameLength(codec, 5000));
        ChunkFrame.encode(codec, 1, ByteBuffer.wrap(Samples.of(Samples.Kind.TEXT, 5000, new Random(1))), frame);
        for (int cut : new int[] {0, 10, ChunkFrame.HEADER, frame.position() - 1}) {
            ByteBuffer shortFrame = ByteBuffer.wrap(frame.array(), 0, cut);
            assertThrows(CorruptDataException.class, () -> ChunkFrame.decode(shortFrame, ByteBuffer.allocate(8192)));
        }
    }

    static Stream<String> codecNames() {
        return Codecs.all().stream().map(Codec::name);
    }

    private static ByteBuffer buffer(int capacity, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    private static ByteBuffer buffer(byte[] content, boolean direct) {
        return buffer(content.length, direct).put(content).flip();
    }
}
