package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * Runs a codec's frame path until the JIT has compiled it. A freshly started daemon otherwise serves
 * its first several thousand chunks through profiling (tier 3) code, several times slower than the
 * compiled path; compressed mounts call this on a background thread when they open.
 */
public final class Warmup {

    /** Encodes and decodes {@code rounds} small frames in every buffer combination the storage path uses. */
    public static void run(Codec codec, int level, int rounds) {
        byte[] text = new byte[4096];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ("xdevfs warms its codecs up " .charAt(i % 27) + (i / 512));
        }
        ByteBuffer heapRaw = ByteBuffer.wrap(text);
        ByteBuffer directRaw = ByteBuffer.allocateDirect(text.length).put(text).flip();
        ByteBuffer frame = ByteBuffer.allocateDirect(ChunkFrame.maxFrameLength(codec, text.length));
        byte[] back = new byte[text.length];
        for (int i = 0; i < rounds; i++) {
            Entropy.bitsPerByte((i & 1) == 0 ? heapRaw : directRaw);
            frame.clear();
            ChunkFrame.encode(codec, level, (i & 1) == 0 ? heapRaw.duplicate() : directRaw.duplicate(), frame);
            frame.flip();
            try {
                ChunkFrame.decode(frame, ByteBuffer.wrap(back));
            } catch (CorruptDataException e) {
                throw new IllegalStateException("warm-up frame did not decode", e);
            }
        }
    }

    private Warmup() {
    }
}
