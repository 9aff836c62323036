package io.xdevfs.codecs;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Test inputs of the kinds a WAL filesystem stores. */
final class Samples {
    enum Kind { RANDOM, ZERO, TEXT, WAL }

    static byte[] of(Kind kind, int length, Random rnd) {
        byte[] b = new byte[length];
        switch (kind) {
            case RANDOM -> rnd.nextBytes(b);
            case ZERO -> { }
            case TEXT -> {
                String[] lines = {"INSERT INTO accounts (id, owner, balance) VALUES (", "UPDATE branches SET total = total + ",
                    " WHERE id = ", "; COMMIT;\n", "'alice', ", "'bob', ", "SELECT abalance FROM pgbench_accounts WHERE aid = "};
                StringBuilder text = new StringBuilder(length + 64);
                while (text.length() < length) {
                    text.append(lines[rnd.nextInt(lines.length)]).append(rnd.nextInt(100000));
                }
                System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, b, 0, length);
            }
            case WAL -> wal(b, rnd);
        }
        return b;
    }

    /**
     * Synthetic PostgreSQL-like WAL: 8 KiB pages with a page header, then records of a 24-byte header
     * (length, xid, prev pointer, crc) and tuple data that repeats column values, zero-padded page tails.
     */
    private static void wal(byte[] b, Random rnd) {
        long lsn = 0x16B374D48L;
        int xid = 1000;
        for (int page = 0; page < b.length; page += 8192) {
            int end = Math.min(b.length, page + 8192);
            int p = page;
            p = putLong(b, p, end, 0xD10D0000_00000001L);
            p = putLong(b, p, end, lsn + page);
            int fill = page + 8192 - rnd.nextInt(2048);
            while (p + 64 < Math.min(end, fill)) {
                int len = 48 + rnd.nextInt(120);
                p = putLong(b, p, end, ((long) len << 32) | xid++);
                p = putLong(b, p, end, lsn);
                p = putLong(b, p, end, rnd.nextInt());
                for (int i = 0; i < len && p < end; i++, p++) {
                    b[p] = (byte) (i % 16 < 8 ? (xid >>> (i % 4 * 8)) : 'a' + i % 5);
                }
                lsn += len;
            }
        }
    }

    private static int putLong(byte[] b, int p, int end, long v) {
        for (int i = 0; i < 8 && p < end; i++, p++) {
            b[p] = (byte) (v >>> (8 * i));
        }
        return p;
    }

    private Samples() {
    }
}
