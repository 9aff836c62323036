package io.xdevfs.tiers.compressed;

import io.xdevfs.codecs.ChunkFrame;
import io.xdevfs.codecs.CorruptDataException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The on-disk format of a compressed file ({@code storage_type = compressed}): a log of records.
 * Version 1, little endian.
 *
 * <pre>
 * file header (32 bytes, at offset 0)
 *   0 u32 magic "XDVL"   4 u16 version (1)   6 u8 log2(chunk size)   7 u8 0
 *   8 u64 file id (random; names the file's chunks in the cache)   16..28 zero   28 u32 CRC32C of 0..28
 * record (36-byte header, then for FULL and PATCH one chunk frame, see {@link ChunkFrame})
 *   0 u32 magic "XDLR"   4 u8 type   5..8 zero   8 u64 chunk index   16 u32 offset in the chunk
 *  20 u32 frame length (0 for SIZE)   24 u64 logical file size after this record   32 u32 CRC32C of 0..32
 * </pre>
 *
 * A FULL record holds a chunk's whole content (it supersedes every earlier record of that chunk); a
 * PATCH holds bytes at an offset inside a chunk, applied over what came before; a SIZE record only
 * changes the logical size. Every record carries the size, so the last one tells it. Records are only
 * ever appended; superseded ones are punched out (they read as zeros, and a scan skips zeros), and a
 * scan stops at the first record that is neither valid nor zero: the torn tail of a crash.
 */
public final class LogFormat {
    public static final int FILE_HEADER = 32;
    public static final int RECORD_HEADER = 36;
    static final int VERSION = 1;
    static final int FILE_MAGIC = 'X' | 'D' << 8 | 'V' << 16 | 'L' << 24;
    static final int RECORD_MAGIC = 'X' | 'D' << 8 | 'L' << 16 | 'R' << 24;

    static final int FULL = 1;
    static final int PATCH = 2;
    static final int SIZE = 3;

    record FileHeader(int chunkShift, long fileId) {
    }

    public record RecordHeader(int type, long chunk, int offset, int frameLength, long fileSize) {
        public int length() {
            return RECORD_HEADER + frameLength;
        }
    }

    static void putFileHeader(ByteBuffer out, int chunkShift, long fileId) {
        ByteBuffer b = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        b.putInt(FILE_MAGIC).putShort((short) VERSION).put((byte) chunkShift).put((byte) 0).putLong(fileId);
        for (int i = 16; i < 28; i++) {
            b.put((byte) 0);
        }
        b.putInt(crc(b, p, 28));
        out.position(p + FILE_HEADER);
    }

    /** The header at {@code in}'s position, or a {@link CorruptDataException} naming what is wrong. */
    static FileHeader fileHeader(ByteBuffer in) throws CorruptDataException {
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        if (b.remaining() < FILE_HEADER || b.getInt(p) != FILE_MAGIC) {
            throw new CorruptDataException("not an xdevfs compressed file (no XDVL header): was the base directory "
                    + "written with another storage_type?");
        }
        if (b.getInt(p + 28) != crc(b, p, 28)) {
            throw new CorruptDataException("compressed file header checksum mismatch");
        }
        int version = b.getShort(p + 4);
        if (version != VERSION) {
            throw new CorruptDataException("compressed file format version " + version + " is not supported (this "
                    + "build reads " + VERSION + ")");
        }
        int shift = b.get(p + 6);
        if (shift < 12 || shift > 20) {
            throw new CorruptDataException("compressed file header names chunk size 2^" + shift);
        }
        return new FileHeader(shift, b.getLong(p + 8));
    }

    static void putRecordHeader(ByteBuffer out, int type, long chunk, int offset, int frameLength, long fileSize) {
        ByteBuffer b = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        b.putInt(RECORD_MAGIC).put((byte) type).put((byte) 0).putShort((short) 0).putLong(chunk).putInt(offset)
                .putInt(frameLength).putLong(fileSize);
        b.putInt(crc(b, p, 32));
        out.position(p + RECORD_HEADER);
    }

    /** The record header at {@code at} in {@code in}, or null when there is none there. */
    public static RecordHeader recordHeader(ByteBuffer in, int at, int chunkSize) {
        if (in.limit() - at < RECORD_HEADER) {
            return null;
        }
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(at) != RECORD_MAGIC || b.getInt(at + 32) != crc(b, at, 32)) {
            return null;
        }
        int type = b.get(at + 4);
        long chunk = b.getLong(at + 8);
        int offset = b.getInt(at + 16);
        int frameLength = b.getInt(at + 20);
        long size = b.getLong(at + 24);
        boolean sane = switch (type) {
            case FULL, PATCH -> chunk >= 0 && offset >= 0 && offset < chunkSize && frameLength >= ChunkFrame.HEADER;
            case SIZE -> frameLength == 0;
            default -> false;
        };
        return sane && size >= 0 ? new RecordHeader(type, chunk, offset, frameLength, size) : null;
    }

    private static int crc(ByteBuffer b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(from + length).position(from));
        return (int) crc.getValue();
    }

    private LogFormat() {
    }
}
