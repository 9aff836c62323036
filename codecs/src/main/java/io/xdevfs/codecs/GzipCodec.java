package io.xdevfs.codecs;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Deflate from the JDK (zlib framing, levels 1-9), the seed's "gzip". One Deflater and one Inflater
 * per thread, reset between calls; the JDK takes heap and direct buffers alike.
 */
public final class GzipCodec implements Codec {
    public static final int ID = 4;

    private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(Deflater::new);
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public int minLevel() {
        return 1;
    }

    @Override
    public int maxLevel() {
        return 9;
    }

    @Override
    public int defaultLevel() {
        return 6;
    }

    /** zlib's deflateBound for stored blocks plus the zlib header and trailer. */
    @Override
    public int maxCompressedLength(int rawLength) {
        return rawLength + (rawLength >> 12) + (rawLength >> 14) + (rawLength >> 25) + 13 + 6;
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst, int level) {
        Deflater d = DEFLATER.get();
        d.reset();
        d.setLevel(level);
        d.setInput(src);
        d.finish();
        int start = dst.position();
        while (!d.finished()) {
            if (!dst.hasRemaining()) {
                throw new IllegalArgumentException("no room for the deflated bytes");
            }
            d.deflate(dst);
        }
        return dst.position() - start;
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException {
        Inflater inflater = INFLATER.get();
        inflater.reset();
        inflater.setInput(src);
        ByteBuffer out = dst.slice(dst.position(), rawLength);
        try {
            while (!inflater.finished() && out.hasRemaining()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new CorruptDataException("gzip cannot decode " + src.remaining() + " stored bytes", e);
        }
        if (!inflater.finished() || out.hasRemaining() || src.hasRemaining()) {
            throw new CorruptDataException("gzip decoded " + out.position() + " bytes where " + rawLength
                    + " were stored");
        }
        dst.position(dst.position() + rawLength);
    }
}
