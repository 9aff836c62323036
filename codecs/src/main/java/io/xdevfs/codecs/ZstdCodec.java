package io.xdevfs.codecs;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import java.nio.ByteBuffer;

/**
 * Zstandard through zstd-jni, levels -7 (fastest) to 22. One compression and one decompression
 * context per thread, reused across calls. Direct-to-direct and direct-to-heap (the read path)
 * go to the library without a copy; other combinations copy through scratch arrays.
 */
public final class ZstdCodec extends ArrayCodec {
    public static final int ID = 2;

    private static final ThreadLocal<ZstdCompressCtx> COMPRESS = ThreadLocal.withInitial(ZstdCompressCtx::new);
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    private volatile boolean loaded;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public int minLevel() {
        return -7;
    }

    @Override
    public int maxLevel() {
        return 22;
    }

    @Override
    public int defaultLevel() {
        return 3;
    }

    @Override
    public void requireAvailable() throws CodecUnavailableException {
        if (loaded) {
            return;
        }
        try {
            Zstd.maxCompressionLevel();
            loaded = true;
        } catch (LinkageError e) {
            throw new CodecUnavailableException(name(), e);
        }
    }

    @Override
    public int maxCompressedLength(int rawLength) {
        return (int) Zstd.compressBound(rawLength);
    }

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst, int level) {
        if (!src.isDirect() || !dst.isDirect()) {
            return super.compress(src, dst, level);
        }
        ZstdCompressCtx ctx = COMPRESS.get().setLevel(level);
        int n = ctx.compressDirectByteBuffer(dst, dst.position(), dst.remaining(), src, src.position(), src.remaining());
        src.position(src.limit());
        dst.position(dst.position() + n);
        return n;
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException {
        if (!src.isDirect() || dst.remaining() < rawLength) {
            super.decompress(src, dst, rawLength);
            return;
        }
        int n;
        try {
            n = dst.isDirect()
                    ? DECOMPRESS.get().decompressDirectByteBuffer(dst, dst.position(), rawLength, src, src.position(),
                            src.remaining())
                    : DECOMPRESS.get().decompressDirectByteBufferToByteArray(dst.array(),
                            dst.arrayOffset() + dst.position(), rawLength, src, src.position(), src.remaining());
        } catch (ZstdException e) {
            throw new CorruptDataException("zstd cannot decode " + src.remaining() + " stored bytes", e);
        }
        if (n != rawLength) {
            throw new CorruptDataException("zstd decoded " + n + " bytes where " + rawLength + " were stored");
        }
        src.position(src.limit());
        dst.position(dst.position() + n);
    }

    @Override
    int compressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstCap, int level) {
        return COMPRESS.get().setLevel(level).compressByteArray(dst, dstOff, dstCap, src, srcOff, srcLen);
    }

    @Override
    int decompressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int rawLength) {
        return DECOMPRESS.get().decompressByteArray(dst, dstOff, rawLength, src, srcOff, srcLen);
    }
}
