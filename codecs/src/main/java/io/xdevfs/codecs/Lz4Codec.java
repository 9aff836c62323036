package io.xdevfs.codecs;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.nio.ByteBuffer;

/**
 * LZ4 block format. Levels 1-3 use the fast compressor (LZ4 has no faster-than-fast level), 4-17 LZ4 HC
 * at that level. lz4-java's native code takes two heap or two direct buffers; a mixed pair would fall
 * back to its much slower pure-Java path, so the compressed side of a mixed pair is copied through
 * per-thread heap scratch instead (the smaller copy, and far cheaper than the fallback).
 */
public final class Lz4Codec implements Codec {
    public static final int ID = 1;
    private static final int HC_FROM = 4;

    private volatile Engines engines;

    private record Engines(LZ4Compressor fast, LZ4Compressor[] high, LZ4SafeDecompressor decompressor) {
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "lz4";
    }

    @Override
    public int minLevel() {
        return 1;
    }

    @Override
    public int maxLevel() {
        return 17;
    }

    @Override
    public int defaultLevel() {
        return 1;
    }

    /** Loads lazily: the native library where it loads, else lz4-java's pure-Java engine. */
    private Engines engines() {
        Engines e = engines;
        if (e == null) {
            LZ4Factory factory = LZ4Factory.fastestInstance();
            LZ4Compressor[] high = new LZ4Compressor[maxLevel() + 1];
            for (int level = HC_FROM; level <= maxLevel(); level++) {
                high[level] = factory.highCompressor(level);
            }
            e = new Engines(factory.fastCompressor(), high, factory.safeDecompressor());
            engines = e;
        }
        return e;
    }

    @Override
    public int maxCompressedLength(int rawLength) {
        return engines().fast().maxCompressedLength(rawLength);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst, int level) {
        Engines e = engines();
        LZ4Compressor c = level >= HC_FROM ? e.high()[Math.min(level, maxLevel())] : e.fast();
        if (src.isDirect() != dst.isDirect()) {
            ByteBuffer in = src.isDirect() ? heapCopy(src, 0) : src;
            ByteBuffer out = dst.isDirect() ? ByteBuffer.wrap(ArrayCodec.scratch(1, dst.remaining()), 0, dst.remaining())
                    : dst;
            int n = c.compress(in, in.position(), in.remaining(), out, out.position(), out.remaining());
            if (dst.isDirect()) {
                dst.put(out.array(), 0, n);
            } else {
                dst.position(dst.position() + n);
            }
            src.position(src.limit());
            return n;
        }
        int n = c.compress(src, src.position(), src.remaining(), dst, dst.position(), dst.remaining());
        src.position(src.limit());
        dst.position(dst.position() + n);
        return n;
    }

    /** {@code b}'s remaining bytes in per-thread heap scratch {@code slot}. */
    private static ByteBuffer heapCopy(ByteBuffer b, int slot) {
        byte[] a = ArrayCodec.scratch(slot, b.remaining());
        b.get(b.position(), a, 0, b.remaining());
        return ByteBuffer.wrap(a, 0, b.remaining());
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException {
        if (src.isDirect() && !dst.isDirect()) {
            ByteBuffer in = heapCopy(src, 0);
            decompress(in, dst, rawLength);
            src.position(src.limit());
            return;
        }
        if (!src.isDirect() && dst.isDirect()) {
            ByteBuffer out = ByteBuffer.wrap(ArrayCodec.scratch(1, rawLength), 0, rawLength);
            decompress(src, out, rawLength);
            dst.put(out.flip());
            return;
        }
        int n;
        try {
            n = engines().decompressor().decompress(src, src.position(), src.remaining(), dst, dst.position(), rawLength);
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            throw new CorruptDataException("lz4 cannot decode " + src.remaining() + " stored bytes", e);
        }
        if (n != rawLength) {
            throw new CorruptDataException("lz4 decoded " + n + " bytes where " + rawLength + " were stored");
        }
        src.position(src.limit());
        dst.position(dst.position() + n);
    }
}
