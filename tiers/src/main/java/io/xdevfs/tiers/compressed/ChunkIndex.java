package io.xdevfs.tiers.compressed;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Where each chunk of a compressed file lives in its log, the logical size, and which records are
 * garbage. Pure bookkeeping (no I/O), the same for records just written and records found by a scan,
 * so that recovery rebuilds exactly the state the writer had. Not thread-safe: the owning
 * {@link ChunkedFile} holds its lock.
 */
final class ChunkIndex {

    /** One stored record of a chunk: log position and length, and the chunk bytes [from, to) it holds. */
    record Piece(long position, int length, int from, int to) {
    }

    /** A chunk's records, oldest first; a FULL record is always first (it supersedes all before it). */
    static final class Entry {
        final List<Piece> pieces = new ArrayList<>(2);
        int validLength;
    }

    private final NavigableMap<Long, Entry> chunks = new TreeMap<>();
    private final List<long[]> garbage = new ArrayList<>();
    private final int chunkShift;
    private long size;
    private long garbageBytes;
    private long lastSizeRecord = -1;
    private int lastSizeRecordLength;

    ChunkIndex(int chunkShift) {
        this.chunkShift = chunkShift;
    }

    long size() {
        return size;
    }

    Entry entry(long chunk) {
        return chunks.get(chunk);
    }

    /** Applies one record: the write path and the recovery scan both come through here. */
    void apply(LogFormat.RecordHeader r, long position, int rawLength) {
        if (lastSizeRecord >= 0) {
            retire(lastSizeRecord, lastSizeRecordLength);
            lastSizeRecord = -1;
        }
        int length = r.length();
        switch (r.type()) {
            case LogFormat.FULL -> {
                Entry old = chunks.put(r.chunk(), new Entry());
                if (old != null) {
                    retireAll(old);
                }
                add(chunks.get(r.chunk()), new Piece(position, length, 0, rawLength));
            }
            case LogFormat.PATCH -> add(chunks.computeIfAbsent(r.chunk(), k -> new Entry()),
                    new Piece(position, length, r.offset(), r.offset() + rawLength));
            default -> {
                lastSizeRecord = position;
                lastSizeRecordLength = length;
            }
        }
        long oldSize = size;
        size = r.fileSize();
        if (size < oldSize) {
            dropFrom((size + (1L << chunkShift) - 1) >>> chunkShift);
        }
    }

    /**
     * Chunks with a record in a unit of {@code unit} bytes (past the first, which holds the file header,
     * and before the one holding {@code logEnd}) that live records fill less than half: rewritten at
     * the log's end, they let those units go back where space is freed only in whole units.
     */
    List<Long> chunksInSparseUnits(long unit, long logEnd) {
        Map<Long, Long> live = new java.util.HashMap<>();
        for (Entry e : chunks.values()) {
            for (Piece p : e.pieces) {
                for (long at = p.position(), end = p.position() + p.length(); at < end; ) {
                    long next = Math.min(end, (at / unit + 1) * unit);
                    live.merge(at / unit, next - at, Long::sum);
                    at = next;
                }
            }
        }
        long last = (logEnd - 1) / unit;
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Long, Entry> c : chunks.entrySet()) {
            for (Piece p : c.getValue().pieces) {
                long first = p.position() / unit;
                long end = (p.position() + p.length() - 1) / unit;
                if (sparse(first, last, unit, live) || sparse(end, last, unit, live)) {
                    out.add(c.getKey());
                    break;
                }
            }
        }
        return out;
    }

    private static boolean sparse(long u, long last, long unit, Map<Long, Long> live) {
        return u > 0 && u < last && live.getOrDefault(u, 0L) < unit / 2;
    }

    private static void add(Entry e, Piece p) {
        e.pieces.add(p);
        e.validLength = Math.max(e.validLength, p.to());
    }

    /** Forgets the chunks from {@code first} on (a truncation): their records become garbage. */
    private void dropFrom(long first) {
        Iterator<Map.Entry<Long, Entry>> it = chunks.tailMap(first, true).entrySet().iterator();
        while (it.hasNext()) {
            retireAll(it.next().getValue());
            it.remove();
        }
    }

    boolean fragmented() {
        return chunks.values().stream().anyMatch(e -> e.pieces.size() > 1);
    }

    /** The chunks held in more than one record. */
    List<Long> fragmentedChunks() {
        List<Long> out = new ArrayList<>();
        chunks.forEach((k, e) -> {
            if (e.pieces.size() > 1) {
                out.add(k);
            }
        });
        return out;
    }

    /** The chunks from {@code first} on, for a caller that must drop them from a cache. */
    List<Long> chunksFrom(long first) {
        return new ArrayList<>(chunks.tailMap(first, true).keySet());
    }

    private void retireAll(Entry e) {
        for (Piece p : e.pieces) {
            retire(p.position(), p.length());
        }
    }

    private void retire(long position, int length) {
        garbage.add(new long[] {position, length});
        garbageBytes += length;
    }

    /** Bytes of superseded records not yet punched out. */
    long garbageBytes() {
        return garbageBytes;
    }

    /** Superseded records not yet punched out; the caller takes them (and gives them back on failure). */
    List<long[]> takeGarbage() {
        List<long[]> taken = new ArrayList<>(garbage);
        garbage.clear();
        garbageBytes = 0;
        return taken;
    }

    void returnGarbage(List<long[]> ranges) {
        garbage.addAll(0, ranges);
        for (long[] r : ranges) {
            garbageBytes += r[1];
        }
    }

    boolean hasGarbage() {
        return !garbage.isEmpty();
    }

    /** Everything gone at once: the log was cut back to its header. */
    void clear() {
        chunks.clear();
        garbage.clear();
        garbageBytes = 0;
        size = 0;
        lastSizeRecord = -1;
    }
}
