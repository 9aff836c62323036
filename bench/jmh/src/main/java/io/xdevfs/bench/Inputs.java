package io.xdevfs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The three inputs of the codec benchmarks: text, random bytes and WAL. Files in the directory named by
 * {@code -Dxdevfs.inputs} (text.bin, random.bin, wal.bin; bench/codecs.sh makes them, the WAL from a
 * real pgbench run) are used when present; otherwise deterministic stand-ins are generated.
 */
final class Inputs {
    static final int SIZE = 16 << 20;

    static byte[] load(String name) throws IOException {
        String dir = System.getProperty("xdevfs.inputs");
        if (dir != null) {
            Path p = Path.of(dir, name + ".bin");
            if (Files.exists(p)) {
                return Files.readAllBytes(p);
            }
        }
        return switch (name) {
            case "text" -> text();
            case "random" -> random();
            case "wal" -> syntheticWal();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static byte[] random() {
        byte[] b = new byte[SIZE];
        new Random(1).nextBytes(b);
        return b;
    }

    /** Application-log-like lines: timestamps, levels, repeated phrases, varying numbers. */
    static byte[] text() {
        Random r = new Random(2);
        String[] levels = {"INFO", "WARN", "DEBUG", "ERROR"};
        String[] what = {"checkpoint starting: time", "connection authorized: user=app database=orders",
            "automatic vacuum of table \"orders.public.items\"", "duration: %d.%03d ms  statement: SELECT * FROM items "
            + "WHERE id = %d", "temporary file: path \"base/pgsql_tmp/pgsql_tmp%d.%d\", size %d"};
        StringBuilder b = new StringBuilder(SIZE + 200);
        long t = 1_700_000_000_000L;
        while (b.length() < SIZE) {
            t += r.nextInt(5000);
            b.append(String.format("2026-11-%02d %02d:%02d:%02d.%03d UTC [%d] %s:  ", 1 + (int) (t / 86_400_000 % 28),
                    t / 3_600_000 % 24, t / 60_000 % 60, t / 1000 % 60, t % 1000, 1000 + r.nextInt(50),
                    levels[r.nextInt(levels.length)]));
            b.append(String.format(what[r.nextInt(what.length)], r.nextInt(900), r.nextInt(1000), r.nextInt(100000)))
                    .append('\n');
        }
        return java.util.Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), SIZE);
    }

    /** When no real WAL is at hand: 8 KiB pages of record headers and tuple data, zero-padded tails. */
    private static byte[] syntheticWal() {
        byte[] b = new byte[SIZE];
        Random r = new Random(3);
        long lsn = 0x16B374D48L;
        int xid = 1000;
        for (int page = 0; page < SIZE; page += 8192) {
            java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(b, page, 8192).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            p.putLong(0xD10D0000_00000001L).putLong(lsn + page);
            int fill = 8192 - r.nextInt(2048);
            while (p.position() - page + 200 < fill) {
                int len = 48 + r.nextInt(120);
                p.putInt(len).putInt(xid++).putLong(lsn).putInt(r.nextInt());
                for (int i = 0; i < len; i++) {
                    p.put((byte) (i % 16 < 8 ? (xid >>> (i % 4 * 8)) : 'a' + i % 5));
                }
                lsn += len;
            }
        }
        return b;
    }

    /** Writes the inputs that are missing in the directory {@code args[0]}, for the command-line tools. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        System.setProperty("xdevfs.inputs", dir.toString());
        for (String name : new String[] {"text", "random", "wal"}) {
            Path p = dir.resolve(name + ".bin");
            if (!Files.exists(p)) {
                Files.write(p, load(name));
            }
        }
    }

    private Inputs() {
    }
}
