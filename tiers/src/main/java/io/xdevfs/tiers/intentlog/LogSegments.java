package io.xdevfs.tiers.intentlog;

import io.xdevfs.tiers.OwnFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of an intent log directory: numbered segments ({@code segment-<16 hex>.xil}) and spare
 * ones ({@code spare-<n>.xil}) written full of zeros ahead of use, so that a record written into a
 * segment overwrites allocated blocks and its fdatasync flushes data only, no file-size or extent
 * change. A spare becomes a segment by rename (then the directory is synced); a trimmed segment
 * becomes a spare again, its stale records rejected by their segment numbers. So a segment number is
 * never used twice: the next one is recorded ({@value #MARK}) before a segment gets its number, and
 * outlives every segment file (after a trim there may be none left to count from).
 */
final class LogSegments {
    private static final Pattern SEGMENT = Pattern.compile("segment-([0-9a-f]{16})\\.xil");
    private static final Pattern SPARE = Pattern.compile("spare-([0-9]+)\\.xil");
    static final String MARK = "next-segment";

    private final Path dir;
    private final long segmentSize;

    LogSegments(Path dir, long segmentSize) {
        this.dir = dir;
        this.segmentSize = segmentSize;
    }

    Path dir() {
        return dir;
    }

    long segmentSize() {
        return segmentSize;
    }

    Path segment(long number) {
        return dir.resolve(String.format("segment-%016x.xil", number));
    }

    /** The segment files by number. */
    TreeMap<Long, Path> segments() throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        for (Path p : list()) {
            Matcher m = SEGMENT.matcher(p.getFileName().toString());
            if (m.matches()) {
                found.put(Long.parseUnsignedLong(m.group(1), 16), p);
            }
        }
        return found;
    }

    /** The spare files, lowest number first (the one a segment switch takes). */
    List<Path> spares() throws IOException {
        TreeMap<Integer, Path> found = new TreeMap<>();
        for (Path p : list()) {
            Matcher m = SPARE.matcher(p.getFileName().toString());
            if (m.matches()) {
                found.put(Integer.parseInt(m.group(1)), p);
            }
        }
        return new ArrayList<>(found.values());
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger partials = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A new spare, zero-filled to the segment size and synced; written beside it first, so no half spare
     * ever shows. The fill holds no lock: a segment switch meanwhile takes another spare or makes its own.
     */
    Path prepareSpare() throws IOException {
        Path partial = dir.resolve("spare-" + ProcessHandle.current().pid() + "-" + partials.incrementAndGet() + ".part");
        try (FileChannel ch = FileChannel.open(partial, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), OwnFiles.PRIVATE_FILE)) {
            // A megabyte at a time, each synced: a log force that comes meanwhile waits behind one
            // megabyte of writeback, not the whole segment.
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < segmentSize; at += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), segmentSize - at));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, at + zeros.position());
                }
                ch.force(false);
            }
            ch.force(true);
        }
        synchronized (this) {
            Path target = freeSpareName();
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        }
    }

    private Path freeSpareName() {
        int n = 0;
        while (Files.exists(dir.resolve("spare-" + n + ".xil"))) {
            n++;
        }
        return dir.resolve("spare-" + n + ".xil");
    }

    /** The first segment number never used: above the mark and above every segment file. */
    long nextUnused() throws IOException {
        TreeMap<Long, Path> existing = segments();
        long next = existing.isEmpty() ? 0 : existing.lastKey() + 1;
        Path mark = dir.resolve(MARK);
        if (Files.exists(mark)) {
            next = Math.max(next, Long.parseLong(Files.readString(mark).strip()));
        }
        return next;
    }

    /** Records that numbers below {@code next} are used; durable with the next directory sync. */
    private void mark(long next) throws IOException {
        Path tmp = dir.resolve(MARK + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), OwnFiles.PRIVATE_FILE)) {
            ch.write(ByteBuffer.wrap(Long.toString(next).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(MARK), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes segment {@code number} from a spare (preparing one when none is left) and syncs the directory. */
    Path claim(long number) throws IOException {
        Path target = segment(number);
        if (Files.exists(target)) {
            return target;
        }
        mark(number + 1);
        Path spare = null;
        synchronized (this) {
            List<Path> spares = spares();
            if (!spares.isEmpty()) {
                spare = spares.get(0);
                Files.move(spare, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (spare == null) {
            Path made = prepareSpare();
            synchronized (this) {
                Files.move(made, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        syncDirectory();
        return target;
    }

    /** Turns segment {@code number} back into a spare, or deletes it when {@code keep} spares exist already. */
    synchronized void retire(long number, int keep) throws IOException {
        Path p = segment(number);
        if (!Files.exists(p)) {
            return;
        }
        List<Path> spares = spares();
        if (spares.size() >= keep || Files.size(p) != segmentSize) {
            Files.delete(p);
            return;
        }
        Files.move(p, freeSpareName(), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Leftovers of an interrupted spare preparation. */
    void removePartials() throws IOException {
        for (Path p : list()) {
            if (p.getFileName().toString().endsWith(".part")) {
                Files.delete(p);
            }
        }
    }

    void syncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
