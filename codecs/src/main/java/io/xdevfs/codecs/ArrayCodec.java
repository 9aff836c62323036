package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * A codec whose library works on byte arrays. Heap buffers go straight through; a direct buffer is
 * copied through per-thread scratch arrays (grown on demand, never shrunk, so the steady state
 * allocates nothing).
 */
abstract class ArrayCodec implements Codec {
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[2][0]);

    /** Compresses {@code src[srcOff, srcOff+srcLen)} into {@code dst} from {@code dstOff}; returns the length. */
    abstract int compressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstCap, int level);

    /** Decompresses into {@code dst[dstOff, dstOff+rawLength)}; returns the bytes produced. */
    abstract int decompressArrays(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int rawLength)
            throws Exception;

    @Override
    public int compress(ByteBuffer src, ByteBuffer dst, int level) {
        int srcLen = src.remaining();
        byte[] in = src.hasArray() ? src.array() : copyIn(src, 0);
        int inOff = src.hasArray() ? src.arrayOffset() + src.position() : 0;
        int n;
        if (dst.hasArray()) {
            n = compressArrays(in, inOff, srcLen, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining(), level);
            dst.position(dst.position() + n);
        } else {
            byte[] out = scratch(1, dst.remaining());
            n = compressArrays(in, inOff, srcLen, out, 0, dst.remaining(), level);
            dst.put(out, 0, n);
        }
        src.position(src.position() + srcLen);
        return n;
    }

    @Override
    public void decompress(ByteBuffer src, ByteBuffer dst, int rawLength) throws CorruptDataException {
        if (dst.remaining() < rawLength) {
            throw new IllegalArgumentException("no room for " + rawLength + " bytes");
        }
        int srcLen = src.remaining();
        byte[] in = src.hasArray() ? src.array() : copyIn(src, 0);
        int inOff = src.hasArray() ? src.arrayOffset() + src.position() : 0;
        byte[] out = dst.hasArray() ? dst.array() : scratch(1, rawLength);
        int outOff = dst.hasArray() ? dst.arrayOffset() + dst.position() : 0;
        int n;
        try {
            n = decompressArrays(in, inOff, srcLen, out, outOff, rawLength);
        } catch (Exception e) {
            throw new CorruptDataException(name() + " cannot decode " + srcLen + " stored bytes", e);
        }
        if (n != rawLength) {
            throw new CorruptDataException(name() + " decoded " + n + " bytes where " + rawLength + " were stored");
        }
        if (dst.hasArray()) {
            dst.position(dst.position() + n);
        } else {
            dst.put(out, 0, n);
        }
        src.position(src.position() + srcLen);
    }

    private static byte[] copyIn(ByteBuffer src, int slot) {
        byte[] a = scratch(slot, src.remaining());
        src.get(src.position(), a, 0, src.remaining());
        return a;
    }

    static byte[] scratch(int slot, int size) {
        byte[][] s = SCRATCH.get();
        if (s[slot].length < size) {
            s[slot] = new byte[Math.max(size, s[slot].length * 2)];
        }
        return s[slot];
    }
}
