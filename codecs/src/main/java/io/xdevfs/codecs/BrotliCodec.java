package io.xdevfs.codecs;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.encoder.Encoder;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Brotli through brotli4j, levels 0-11. brotli4j's one-shot API returns new arrays, so each call
 * allocates its result: brotli is for cold data where the ratio matters more than the rate.
 */
public final class BrotliCodec extends ArrayCodec {
    public static final int ID = 5;

    private volatile Encoder.Parameters[] parameters;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "brotli";
    }

    @Override
    public int minLevel() {
        return 0;
    }

    @Override
    public int maxLevel() {
        return 11;
    }

    @Override
    public int defaultLevel() {
        return 4;
    }

    @Override
    public void requireAvailable() throws CodecUnavailableException {
        if (parameters != null) {
            return;
        }
        try {
            Brotli4jLoader.ensureAvailability();
        } catch (LinkageError | RuntimeException e) {
            throw new CodecUnavailableException(name(), e);
        }
        Encoder.Parameters[] p = new Encoder.Parameters[maxLevel() + 1];
        for (int level = 0; level <= maxLevel(); level++) {
            p[level] = new Encoder.Parameters().setQuality(level);
        }
        parameters = p;
    }

    /** brotli's bound for incompressible input: the bytes plus small per-block headers. */
    @Override
    public int maxCompressedLength(int rawLength) {
        return rawLength + (rawLength >> 2) + 1024;
    }

    @Override
    int compressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstCap, int level) {
        byte[] out;
        try {
            requireAvailable();
            out = Encoder.compress(src, srcOff, srcLen, parameters[level]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CodecUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (out.length > dstCap) {
            throw new IllegalArgumentException("no room for " + out.length + " brotli bytes");
        }
        System.arraycopy(out, 0, dst, dstOff, out.length);
        return out.length;
    }

    @Override
    int decompressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int rawLength)
            throws IOException, CodecUnavailableException {
        requireAvailable();
        byte[] out = Decoder.decompress(src, srcOff, srcLen);
        if (out.length == rawLength) {
            System.arraycopy(out, 0, dst, dstOff, rawLength);
        }
        return out.length;
    }
}
