package io.xdevfs.tiers.intentlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the records of an intent log in order, from a first segment on: within a segment until the
 * first record that is not whole and valid, then on into the next segment number if its first record
 * continues the sequence. Stops at the first torn or invalid record, or at a missing segment: what
 * follows it was never acknowledged (the writer forces every record before the next one's fsync
 * returns, and a segment before writing into the next).
 */
public final class LogReader {
    /** Where reading ended. */
    public record End(long lastSequence, long records) {
    }

    @FunctionalInterface
    public interface Visitor {
        void accept(RecordFormat.Decoded record) throws IOException;
    }

    private LogReader() {
    }

    /** Calls {@code visitor} for each record from segment {@code first} on; {@code lastSequence} is -1 when none was read. */
    public static End read(Path dir, long first, Visitor visitor) throws IOException {
        LogSegments files = new LogSegments(dir, 0);
        TreeMap<Long, Path> segments = files.segments();
        long expected = -1;
        long records = 0;
        long number = first;
        for (Map.Entry<Long, Path> e : segments.tailMap(first, true).entrySet()) {
            if (e.getKey() != number) {
                break; // a gap: nothing after it was acknowledged
            }
            ByteBuffer content = readAll(e.getValue());
            long before = records;
            RecordFormat.Decoded r;
            while ((r = RecordFormat.decode(content, number, expected)) != null) {
                visitor.accept(r);
                expected = r.sequence() + 1;
                records++;
            }
            if (records == before && expected >= 0) {
                break; // the sequence does not go on here
            }
            number++;
        }
        return new End(expected < 0 ? -1 : expected - 1, records);
    }

    /** The lowest segment number in {@code dir} (0 when there is none). */
    public static long firstSegment(Path dir) throws IOException {
        TreeMap<Long, Path> segments = new LogSegments(dir, 0).segments();
        return segments.isEmpty() ? 0 : segments.firstKey();
    }

    private static ByteBuffer readAll(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(Math.min(size, Integer.MAX_VALUE - 16)));
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // keep reading
            }
            return b.flip();
        }
    }
}
