package io.xdevfs.codecs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The self-describing unit of stored data: a 24-byte header and the stored bytes. Version 1, little
 * endian:
 *
 * <pre>
 *  0  u32 magic "XDCF"          12  u32 stored length
 *  4  u8  format version (1)    16  u32 CRC32C of the raw bytes
 *  5  u8  codec id              20  u32 CRC32C of header bytes 0..20 and the stored bytes
 *  6  i8  level                 24  stored bytes
 *  7  u8  flags (0)
 *  8  u32 raw length
 * </pre>
 *
 * The frame checksum is verified before the stored bytes reach a (native) decompressor, so damaged
 * input never reaches it; the raw checksum is verified after, so a codec fault is caught too. Either
 * failure is a {@link CorruptDataException}: wrong bytes are never returned. Chunks that would not
 * shrink are stored with the {@code none} codec and keep both checksums.
 */
public final class ChunkFrame {
    public static final int HEADER = 24;
    public static final int MAGIC = 'X' | 'D' << 8 | 'C' << 16 | 'F' << 24;
    public static final int VERSION = 1;

    /** A parsed, not yet verified header. */
    public record Header(int codecId, int level, int rawLength, int storedLength, int rawCrc, int frameCrc) {
        public int frameLength() {
            return HEADER + storedLength;
        }
    }

    /** The largest frame {@code codec} can produce for {@code rawLength} bytes. */
    public static int maxFrameLength(Codec codec, int rawLength) {
        return HEADER + Math.max(rawLength, codec.maxCompressedLength(rawLength));
    }

    /**
     * Writes a frame of {@code raw}'s remaining bytes at {@code out}'s position, compressed with
     * {@code codec} unless that would not shrink them; consumes {@code raw}, advances {@code out}.
     *
     * @return the codec actually used
     */
    public static Codec encode(Codec codec, int level, ByteBuffer raw, ByteBuffer out) {
        int start = out.position();
        int rawLength = raw.remaining();
        int rawCrc = crc(raw);
        Codec used = codec;
        int stored = -1;
        if (codec.id() != NoneCodec.ID && out.remaining() >= maxFrameLength(codec, rawLength)) {
            out.position(start + HEADER);
            stored = codec.compress(raw.duplicate(), out, level);
        }
        if (stored < 0 || stored >= rawLength) {
            used = NONE;
            out.position(start + HEADER);
            out.put(raw.duplicate());
            stored = rawLength;
        }
        raw.position(raw.limit());
        ByteBuffer h = out.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(start);
        h.putInt(MAGIC).put((byte) VERSION).put((byte) used.id()).put((byte) (used == codec ? level : 0)).put((byte) 0)
                .putInt(rawLength).putInt(stored).putInt(rawCrc);
        h.putInt(frameCrc(out, start, stored));
        out.position(start + HEADER + stored);
        return used;
    }

    private static final Codec NONE = new NoneCodec();

    /** Parses the header at {@code frame}'s position without consuming it. */
    public static Header header(ByteBuffer frame) throws CorruptDataException {
        if (frame.remaining() < HEADER) {
            throw new CorruptDataException("frame shorter than its header: " + frame.remaining() + " bytes");
        }
        ByteBuffer h = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = h.position();
        if (h.getInt(p) != MAGIC) {
            throw new CorruptDataException("no chunk frame here (bad magic)");
        }
        if (h.get(p + 4) != VERSION) {
            throw new CorruptDataException("chunk frame version " + h.get(p + 4) + " is not supported (this build reads "
                    + VERSION + ")");
        }
        int raw = h.getInt(p + 8);
        int stored = h.getInt(p + 12);
        if (raw < 0 || stored < 0) {
            throw new CorruptDataException("chunk frame with negative lengths");
        }
        return new Header(h.get(p + 5) & 0xff, h.get(p + 6), raw, stored, h.getInt(p + 16), h.getInt(p + 20));
    }

    /** Checks the frame at {@code frame}'s position (header, length, frame checksum) without decoding it. */
    public static Header verify(ByteBuffer frame) throws CorruptDataException {
        Header h = header(frame);
        if (frame.remaining() < h.frameLength()) {
            throw new CorruptDataException("chunk frame cut short: " + frame.remaining() + " of " + h.frameLength()
                    + " bytes");
        }
        if (frameCrc(frame, frame.position(), h.storedLength()) != h.frameCrc()) {
            throw new CorruptDataException("chunk frame checksum mismatch");
        }
        return h;
    }

    /**
     * Verifies and decodes the frame at {@code frame}'s position into {@code dst} (which must have room
     * for its raw length); consumes the frame, advances {@code dst}.
     *
     * @return the raw length
     */
    public static int decode(ByteBuffer frame, ByteBuffer dst) throws CorruptDataException {
        Header h = verify(frame);
        int start = frame.position();
        Codec codec = Codecs.byId(h.codecId()).orElseThrow(
                () -> new CorruptDataException("chunk frame names unknown codec " + h.codecId()));
        if (dst.remaining() < h.rawLength()) {
            throw new IllegalArgumentException("no room for " + h.rawLength() + " raw bytes");
        }
        int out = dst.position();
        codec.decompress(frame.slice(start + HEADER, h.storedLength()), dst, h.rawLength());
        if (crc(dst.duplicate().position(out).limit(out + h.rawLength())) != h.rawCrc()) {
            throw new CorruptDataException("chunk data checksum mismatch after " + codec.name() + " decoding");
        }
        frame.position(start + h.frameLength());
        return h.rawLength();
    }

    private static int frameCrc(ByteBuffer buf, int start, int stored) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(start).limit(start + 20));
        crc.update(buf.duplicate().position(start + HEADER).limit(start + HEADER + stored));
        return (int) crc.getValue();
    }

    static int crc(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }

    private ChunkFrame() {
    }
}
