package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * A compression codec: bytes in, bytes out, nothing else. Its {@link #id()} is persisted in every
 * chunk frame, so an id is never reused for another algorithm.
 *
 * <p>Buffers may be heap or direct in any combination; an implementation passes them to its library
 * without copying where the library allows and copies through per-thread scratch where it does not.
 * Both methods consume {@code src}'s remaining bytes and advance {@code dst}'s position by the bytes
 * produced. Thread-safe.
 */
public interface Codec {

    /** The persisted id (the seed's numbering: none 0, lz4 1, zstd 2, snappy 3, gzip 4, brotli 5). */
    int id();

    /** The name used in configuration ({@code compression_type}). */
    String name();

    int minLevel();

    int maxLevel();

    int defaultLevel();

    /**
     * Loads the codec's native library on first use.
     *
     * @throws CodecUnavailableException when it cannot be loaded on this platform
     */
    default void requireAvailable() throws CodecUnavailableException {
    }

    /** An upper bound of the compressed size of {@code rawLength} bytes. */
    int maxCompressedLength(int rawLength);

    /** Compresses {@code src}'s remaining bytes into {@code dst}; returns the compressed length. */
    int compress(ByteBuffer src, ByteBuffer dst, int level);

    /**
     * Decompresses {@code src}'s remaining bytes, which must yield exactly {@code rawLength} bytes, into {@code dst}.
     *
     * @throws CorruptDataException when they do not
     */
    void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException;
}
