package io.xdevfs.tiers.intentlog;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The record format: what it writes reads back, and no single damaged bit or missing byte passes as a record. */
class RecordFormatTest {
    private static ByteBuffer encoded(RecordType type, long segment, long sequence, RecordBody body) {
        ByteBuffer b = ByteBuffer.allocate(RecordFormat.size(body));
        RecordFormat.encode(b, type, segment, sequence, body);
        return b.flip();
    }

    private static RecordBody sample() {
        byte[] data = new byte[200];
        new Random(1).nextBytes(data);
        return new RecordBody().putLong(42).putLong(8192).putLong(16384).putLong(1).putLong(2)
                .putBytes(ByteBuffer.wrap(data));
    }

    @Test
    void whatIsWrittenReadsBack() {
        ByteBuffer b = encoded(RecordType.DATA, 7, 1234, sample());
        RecordFormat.Decoded d = RecordFormat.decode(b, 7, 1234);
        assertNotNull(d);
        assertEquals(RecordType.DATA, d.type());
        assertEquals(1234, d.sequence());
        assertEquals(0, b.remaining(), "the reader moved past the record");
        RecordBody.Reader in = d.reader();
        assertEquals(42, in.getLong());
        assertEquals(8192, in.getLong());
        assertEquals(16384, in.getLong());
        assertEquals(1, in.getLong());
        assertEquals(2, in.getLong());
        byte[] data = new byte[200];
        new Random(1).nextBytes(data);
        ByteBuffer run = in.getBytes();
        byte[] back = new byte[run.remaining()];
        run.get(back);
        assertArrayEquals(data, back);
    }

    @Test
    void stringsKeepEveryByteOfAName() {
        String name = "/d\u00ff\u0080/x"; // a byte string: bytes 0xff 0x80 are not UTF-8
        ByteBuffer b = encoded(RecordType.UNLINK, 0, 0, new RecordBody().putString(name));
        assertEquals(name, RecordFormat.decode(b, 0, 0).reader().getString());
    }

    @Test
    void everySingleBitFlipIsDetected() {
        ByteBuffer good = encoded(RecordType.DATA, 3, 99, sample());
        int bits = good.remaining() * 8;
        for (int bit = 0; bit < bits; bit++) {
            ByteBuffer bad = ByteBuffer.allocate(good.remaining()).put(good.duplicate()).flip();
            bad.put(bit / 8, (byte) (bad.get(bit / 8) ^ (1 << (bit % 8))));
            assertNull(RecordFormat.decode(bad, 3, 99), "bit " + bit + " flipped passed as a record");
            assertEquals(0, bad.position(), "a rejected record does not move the reader");
        }
    }

    @Test
    void aRecordCutShortAnywhereIsNotARecord() {
        ByteBuffer good = encoded(RecordType.DATA, 3, 99, sample());
        for (int len = 0; len < good.remaining(); len++) {
            assertNull(RecordFormat.decode(good.duplicate().limit(len), 3, 99), "cut at " + len);
        }
    }

    @Test
    void aStaleRecordOfAnotherSegmentOrSequenceIsNotRead() {
        assertNull(RecordFormat.decode(encoded(RecordType.UNLINK, 3, 5, new RecordBody().putString("/a")), 4, 5),
                "a record left in a recycled segment file");
        assertNull(RecordFormat.decode(encoded(RecordType.UNLINK, 3, 5, new RecordBody().putString("/a")), 3, 6),
                "a record from an earlier life of the segment number");
        assertNotNull(RecordFormat.decode(encoded(RecordType.UNLINK, 3, 5, new RecordBody().putString("/a")), 3, -1),
                "the first record read may carry any sequence");
    }
}
