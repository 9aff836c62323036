package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * A compression codec: bytes in, bytes out, nothing else. Its {@link #id()} is persisted in every
 * chunk frame, so an id is never reused for another algorithm.
 */
public interface Codec {

    /** The persisted id. */
    int id();

    /** The name used in configuration ({@code compression_type}). */
    String name();

    /** An upper bound of the compressed size of {@code rawLength} bytes. */
    int maxCompressedLength(int rawLength);

    /** Compresses {@code src}'s remaining bytes into {@code dst}; returns the compressed length. */
    int compress(ByteBuffer src, ByteBuffer dst, int level);

    /** Decompresses {@code src}'s remaining bytes into exactly {@code rawLength} bytes of {@code dst}. */
    void decompress(ByteBuffer src, ByteBuffer dst, int rawLength);
}
