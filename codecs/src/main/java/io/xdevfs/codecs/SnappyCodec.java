package io.xdevfs.codecs;

import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Snappy through snappy-java (native). Snappy has one level; only 0 (its default) is accepted. */
public final class SnappyCodec extends ArrayCodec {
    public static final int ID = 3;

    private volatile boolean loaded;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "snappy";
    }

    @Override
    public int minLevel() {
        return 0;
    }

    @Override
    public int maxLevel() {
        return 0;
    }

    @Override
    public int defaultLevel() {
        return 0;
    }

    @Override
    public void requireAvailable() throws CodecUnavailableException {
        if (loaded) {
            return;
        }
        try {
            Snappy.getNativeLibraryVersion();
            Snappy.maxCompressedLength(1);
            loaded = true;
        } catch (LinkageError | RuntimeException e) {
            throw new CodecUnavailableException(name(), e);
        }
    }

    @Override
    public int maxCompressedLength(int rawLength) {
        return Snappy.maxCompressedLength(rawLength);
    }

    @Override
    int compressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstCap, int level) {
        if (dstCap < maxCompressedLength(srcLen)) {
            throw new IllegalArgumentException("snappy needs " + maxCompressedLength(srcLen) + " bytes of room");
        }
        try {
            return Snappy.compress(src, srcOff, srcLen, dst, dstOff);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    int decompressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int rawLength)
            throws IOException {
        int length = Snappy.uncompressedLength(src, srcOff, srcLen);
        if (length != rawLength) {
            return length; // reported as corrupt by the caller, before anything is written past rawLength
        }
        return Snappy.uncompress(src, srcOff, srcLen, dst, dstOff);
    }
}
