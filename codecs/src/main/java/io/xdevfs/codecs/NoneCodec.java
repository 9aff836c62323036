package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/** Stores bytes as they are: the codec of chunks that would not shrink. */
public final class NoneCodec implements Codec {
    public static final int ID = 0;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "none";
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
    public int maxCompressedLength(int rawLength) {
        return rawLength;
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst, int level) {
        int n = src.remaining();
        dst.put(src);
        return n;
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException {
        if (src.remaining() != rawLength) {
            throw new CorruptDataException("stored " + src.remaining() + " bytes for " + rawLength + " raw");
        }
        dst.put(src);
    }
}
