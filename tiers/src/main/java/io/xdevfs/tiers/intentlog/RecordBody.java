package io.xdevfs.tiers.intentlog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fields of a record's body, little-endian: longs, ints, strings (u16 length + the raw bytes of a byte string, see Names) and byte
 * runs (u32 length + bytes). Written by the volume that logs, read back by {@link Replay}.
 */
public final class RecordBody {
    private byte[] bytes;
    private int length;

    public RecordBody() {
        this(64);
    }

    /** A body expected to hold about {@code capacity} bytes (a data record's: no regrowth on the sync path). */
    public RecordBody(int capacity) {
        bytes = new byte[capacity];
    }

    private ByteBuffer room(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, length, n).order(ByteOrder.LITTLE_ENDIAN);
        length += n;
        return b;
    }

    public RecordBody putLong(long v) {
        room(8).putLong(v);
        return this;
    }

    public RecordBody putInt(int v) {
        room(4).putInt(v);
        return this;
    }

    public RecordBody putString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.ISO_8859_1);
        if (utf8.length > 0xFFFF) {
            throw new IllegalArgumentException("name longer than 65535 bytes");
        }
        room(2).putShort((short) utf8.length);
        room(utf8.length).put(utf8);
        return this;
    }

    /** Appends the remaining bytes of {@code src} (its position is left unchanged). */
    public RecordBody putBytes(ByteBuffer src) {
        int n = src.remaining();
        room(4).putInt(n);
        room(n).put(src.duplicate());
        return this;
    }

    /**
     * Appends a byte run of {@code n} bytes, the body's last field, and returns a buffer over it to fill (a sync reads the file's
     * bytes straight into the record); a run the caller fills less is cut to what it filled by {@link #trimRun}.
     */
    public ByteBuffer putRun(int n) {
        room(4).putInt(n);
        runStart = length;
        return room(n).slice();
    }

    /** Shortens the run {@link #putRun} appended last to {@code filled} bytes (the file ended sooner). */
    public void trimRun(int filled) {
        int asked = length - runStart;
        if (filled < asked) {
            ByteBuffer.wrap(bytes, runStart - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(filled);
            length = runStart + filled;
        }
    }

    private int runStart;

    int length() {
        return length;
    }

    byte[] array() {
        return bytes;
    }

    /** Reads a body's fields in the order they were written. */
    public static final class Reader {
        private final ByteBuffer b;

        Reader(ByteBuffer body) {
            this.b = body.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        public long getLong() {
            return b.getLong();
        }

        public int getInt() {
            return b.getInt();
        }

        public String getString() {
            int n = Short.toUnsignedInt(b.getShort());
            byte[] utf8 = new byte[n];
            b.get(utf8);
            return new String(utf8, StandardCharsets.ISO_8859_1);
        }

        /** A view of the next byte run, positioned at its start. */
        public ByteBuffer getBytes() {
            int n = b.getInt();
            ByteBuffer run = b.slice(b.position(), n);
            b.position(b.position() + n);
            return run;
        }
    }
}
