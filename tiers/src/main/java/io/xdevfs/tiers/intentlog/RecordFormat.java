package io.xdevfs.tiers.intentlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One record on disk, little-endian:
 * <pre>
 *  0  magic    u32  "XDIL"
 *  4  version  u8   1
 *  5  type     u8   {@link RecordType} code
 *  6  reserved u16  0
 *  8  segment  u64  the number of the segment file it was written to
 * 16  sequence u64  one more than the record before it, across segments
 * 24  length   u32  body bytes
 * 28  crc      u32  CRC32C of bytes 0..27 and the body
 * 32  body
 * </pre>
 * The segment number rejects a stale record left in a recycled segment file; the sequence number
 * rejects one from an earlier life of the same segment number; the CRC rejects a torn or flipped one.
 */
public final class RecordFormat {
    static final int MAGIC = 0x4C494458; // "XDIL" little-endian
    static final int VERSION = 1;
    public static final int HEADER = 32;
    /** No body is larger: bounds what a damaged length field can make a reader allocate. */
    static final int MAX_BODY = 16 << 20;

    /** A decoded record: its body is a view of the buffer it was read from. */
    public record Decoded(RecordType type, long segment, long sequence, ByteBuffer body) {
        public RecordBody.Reader reader() {
            return new RecordBody.Reader(body);
        }
    }

    static int size(RecordBody body) {
        return HEADER + body.length();
    }

    /** Writes the record at {@code dst}'s position and advances it. */
    static void encode(ByteBuffer dst, RecordType type, long segment, long sequence, RecordBody body) {
        ByteBuffer h = dst.slice(dst.position(), HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC).put((byte) VERSION).put((byte) type.code).putShort((short) 0)
                .putLong(segment).putLong(sequence).putInt(body.length());
        CRC32C crc = new CRC32C();
        crc.update(h.flip());
        crc.update(body.array(), 0, body.length());
        h.limit(HEADER).putInt(28, (int) crc.getValue());
        dst.position(dst.position() + HEADER).put(body.array(), 0, body.length());
    }

    /**
     * The record at {@code src}'s position if it is whole and valid, belongs to {@code segment} and
     * (unless {@code expected} is negative) carries sequence {@code expected}; null otherwise. Advances
     * {@code src} past it only when valid.
     */
    static Decoded decode(ByteBuffer src, long segment, long expected) {
        if (src.remaining() < HEADER) {
            return null;
        }
        ByteBuffer h = src.slice(src.position(), HEADER).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(0) != MAGIC || h.get(4) != VERSION || h.getLong(8) != segment) {
            return null;
        }
        long sequence = h.getLong(16);
        int length = h.getInt(24);
        RecordType type = RecordType.of(Byte.toUnsignedInt(h.get(5)));
        if (type == null || (expected >= 0 && sequence != expected) || length < 0 || length > MAX_BODY
                || src.remaining() - HEADER < length) {
            return null;
        }
        ByteBuffer body = src.slice(src.position() + HEADER, length);
        CRC32C crc = new CRC32C();
        crc.update(h.limit(28));
        crc.update(body.duplicate());
        if ((int) crc.getValue() != src.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(src.position() + 28)) {
            return null;
        }
        src.position(src.position() + HEADER + length);
        return new Decoded(type, segment, sequence, body);
    }

    private RecordFormat() {
    }
}
