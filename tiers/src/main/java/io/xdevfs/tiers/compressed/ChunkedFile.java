package io.xdevfs.tiers.compressed;

import io.xdevfs.codecs.ChunkFrame;
import io.xdevfs.codecs.Compressor;
import io.xdevfs.codecs.CorruptDataException;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.cache.BlockCache;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One compressed file's state, shared by every open handle of its inode: the chunk index rebuilt from
 * the log ({@link LogFormat}), the logical size and the end of the log.
 *
 * <p>How writes stay cheap: a write that covers a chunk from its start to at least its last written
 * byte is stored as one FULL record; any other write is a PATCH record holding only its own bytes
 * (compressed on their own), so a WAL writer's small append plus fdatasync costs one record, not a
 * recompression of the tail chunk. When a chunk has {@link #MAX_PIECES} records it is consolidated
 * into one FULL record, which bounds both read amplification and the garbage per chunk. Superseded
 * records are punched out of the backing file after the next sync made their replacements durable.
 *
 * <p>Crash safety: records are only appended and each is checksummed; the index is rebuilt by a
 * scan on open that stops at a torn tail; until a sync punches them, superseded records stay intact.
 *
 * <p>Thread-safety: reads hold the read lock, writes, truncations and syncs' bookkeeping the write
 * lock; the descriptor is the calling handle's (all refer to the same inode).
 */
final class ChunkedFile {
    static final int MAX_PIECES = 8;
    static final int MAX_APPEND_PIECES = 64;
    static final long PUNCH_BATCH = 1 << 20;
    static final int ZERO_AHEAD = 1 << 20;
    private static final ByteBuffer ZERO_BLOCK = ByteBuffer.allocateDirect(ZERO_AHEAD).asReadOnlyBuffer();
    /** Per thread: [0] the batch of records a write builds, [1] a record being read; never the same buffer. */
    private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[2]);
    private static final int WRITING = 0;
    private static final int READING = 1;
    private static final byte[] ZEROS = new byte[8192];

    final long ino;
    private final Compressor compressor;
    private final BlockCache cache;
    /** enable_write_cache: whole chunks a write fills go to the cache too (else only partial ones). */
    private final boolean writeCache;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int shift;
    private int chunkSize;
    /** 0 until the file header exists. */
    private long fileId;
    private ChunkIndex index;
    /** Where the next record goes; 0 while the file has no header. */
    private long logEnd;
    /** The chunk read last (racy under the read lock by design: it only steers caching). */
    private volatile long lastRead = -2;
    /** The backing file holds bytes past {@link #logEnd} (a torn tail): cut them before appending. */
    private boolean trimTail;
    /** Set by the first sync: from then on the log is zero-filled ahead of its end (see {@link #zeroAhead}). */
    private boolean synced;
    /** The backing file is zeros from {@link #logEnd} to here (0: nothing written ahead). */
    private long zeroedEnd;
    /**
     * How many times the log was cut back to its header (a truncate to zero): garbage taken before a
     * cut names offsets that new records may hold now, so it is dropped, never punched or given back.
     */
    private long cuts;

    private ChunkedFile(long ino, int shift, Compressor compressor, BlockCache cache, boolean writeCache) {
        this.writeCache = writeCache;
        this.ino = ino;
        this.shift = shift;
        this.chunkSize = 1 << shift;
        this.compressor = compressor;
        this.cache = cache;
        this.index = new ChunkIndex(shift);
    }

    /** Rebuilds the state of the file open at {@code log} from its log. */
    static ChunkedFile open(BackingFile log, long ino, int defaultShift, Compressor compressor, BlockCache cache,
                            boolean writeCache) throws IOException {
        ChunkedFile f = new ChunkedFile(ino, defaultShift, compressor, cache, writeCache);
        f.recover(log);
        return f;
    }

    long size() {
        return underReadLock(ChunkIndex::size);
    }

    boolean hasGarbage() {
        return underReadLock(ChunkIndex::hasGarbage);
    }

    private <T> T underReadLock(java.util.function.Function<ChunkIndex, T> query) {
        lock.readLock().lock();
        try {
            return query.apply(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- recovery ----------------------------------------------------------------------------------

    private void recover(BackingFile log) throws IOException {
        long backing = log.size();
        if (backing == 0) {
            return;
        }
        ByteBuffer head = ByteBuffer.allocateDirect(LogFormat.FILE_HEADER);
        log.read(head, 0);
        head.flip();
        if (isZero(head)) { // created, but the header never reached the disk: an empty file
            trimTail = true;
            return;
        }
        LogFormat.FileHeader h = LogFormat.fileHeader(head);
        shift = h.chunkShift();
        chunkSize = 1 << shift;
        fileId = h.fileId();
        index = new ChunkIndex(shift);
        LogWindow w = new LogWindow(log, backing, Math.max(1 << 20, 2 * maxRecordLength()));
        long pos = LogFormat.FILE_HEADER;
        long validEnd = pos;
        List<Object[]> suspects = new ArrayList<>(); // valid header, damaged frame: corruption or a torn tail
        while (pos < backing) {
            ByteBuffer b = w.at(pos, LogFormat.RECORD_HEADER);
            LogFormat.RecordHeader r = LogFormat.recordHeader(b, (int) (pos - w.base()), chunkSize);
            if (r == null || pos + r.length() > backing) {
                long next = w.nextNonZero(pos);
                if (next == pos || next < 0) {
                    break; // a torn tail, or zeros to the end
                }
                pos = next;
                continue;
            }
            int rawLength = 0;
            boolean intact = true;
            if (r.type() != LogFormat.SIZE) {
                b = w.at(pos, r.length());
                int at = (int) (pos - w.base()) + LogFormat.RECORD_HEADER;
                try {
                    ChunkFrame.Header fh = ChunkFrame.verify(b.duplicate().position(at).limit(at + r.frameLength()));
                    rawLength = fh.rawLength();
                    intact = fh.frameLength() == r.frameLength() && r.offset() + rawLength <= chunkSize;
                } catch (CorruptDataException e) {
                    intact = false;
                }
            }
            if (!intact) {
                suspects.add(new Object[] {r, pos});
                pos += r.length();
                continue;
            }
            // A valid record after damaged ones: they were corruption, not a tail. Their chunks read as EIO.
            for (Object[] s : suspects) {
                LogFormat.RecordHeader sr = (LogFormat.RecordHeader) s[0];
                index.apply(sr, (Long) s[1], chunkSize - sr.offset());
            }
            suspects.clear();
            index.apply(r, pos, rawLength);
            pos += r.length();
            validEnd = pos;
        }
        logEnd = validEnd;
        trimTail = backing > validEnd;
    }

    private static boolean isZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private int maxRecordLength() {
        return LogFormat.RECORD_HEADER + compressor.maxFrameLength(chunkSize);
    }

    // ---- reads ---------------------------------------------------------------------------------------

    int read(BackingFile log, ByteBuffer dst, long offset) throws IOException {
        lock.readLock().lock();
        try {
            long size = index.size();
            if (offset >= size || !dst.hasRemaining()) {
                return 0;
            }
            int n = (int) Math.min(dst.remaining(), size - offset);
            long end = offset + n;
            for (long pos = offset; pos < end; ) {
                long chunk = pos >>> shift;
                int from = (int) (pos - (chunk << shift));
                int length = (int) Math.min(end - pos, chunkSize - from);
                int stored = from == 0 ? readStraight(log, chunk, dst, length) : -1;
                if (stored < 0) {
                    byte[] content = chunk(log, chunk);
                    stored = Math.max(0, Math.min(length, content.length - from));
                    if (stored > 0) {
                        dst.put(content, from, stored);
                    }
                }
                for (int zeros = length - stored; zeros > 0; ) {
                    int z = Math.min(zeros, ZEROS.length);
                    dst.put(ZEROS, 0, z);
                    zeros -= z;
                }
                pos += length;
            }
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /** The chunk's bytes up to its last written one. Caller holds a lock. */
    private byte[] chunk(BackingFile log, long chunk) throws IOException {
        ChunkIndex.Entry e = index.entry(chunk);
        if (e == null) {
            return EMPTY;
        }
        long previous = lastRead;
        lastRead = chunk;
        if (chunk == previous + 1) {
            // A sequential reader: the kernel's page cache keeps what it re-reads, and filling the cache
            // with a stream evicts what random readers use (and makes the GC copy it): read past it.
            byte[] cached = cache.peek(fileId, chunk);
            return cached != null ? cached : assemble(log, e);
        }
        return cache.get(fileId, chunk, () -> assemble(log, e));
    }

    /**
     * A sequential reader asking for a whole chunk stored as one record, not cached: decoded straight
     * into {@code dst} (the FUSE reply buffer), with no chunk array and no copy. Returns the bytes
     * decoded, or -1 when the chunk must take the general path. Caller holds a lock.
     */
    private int readStraight(BackingFile log, long chunk, ByteBuffer dst, int length) throws IOException {
        ChunkIndex.Entry e = index.entry(chunk);
        if (e == null || chunk != lastRead + 1 || e.pieces.size() != 1 || length < e.validLength) {
            return -1;
        }
        ChunkIndex.Piece p = e.pieces.get(0);
        if (p.from() != 0 || p.to() != e.validLength || cache.peek(fileId, chunk) != null) {
            return -1;
        }
        lastRead = chunk;
        decodePiece(log, p, dst.slice(dst.position(), e.validLength));
        dst.position(dst.position() + e.validLength);
        return e.validLength;
    }

    private byte[] assemble(BackingFile log, ChunkIndex.Entry e) throws IOException {
        byte[] content = new byte[e.validLength];
        for (ChunkIndex.Piece p : e.pieces) {
            decodePiece(log, p, ByteBuffer.wrap(content, p.from(), p.to() - p.from()));
        }
        return content;
    }

    /** Reads one record of the log and decodes its frame into {@code out} (which has exactly its raw bytes' room). */
    private void decodePiece(BackingFile log, ChunkIndex.Piece p, ByteBuffer out) throws IOException {
        ByteBuffer buf = buffer(READING, maxRecordLength());
        buf.clear().limit(p.length());
        if (log.read(buf, p.position()) != p.length()) {
            throw new CorruptDataException("compressed file log ends inside a record at " + p.position());
        }
        buf.flip();
        if (LogFormat.recordHeader(buf, 0, chunkSize) == null) {
            throw new CorruptDataException("damaged record header at log offset " + p.position());
        }
        ByteBuffer frame = buf.position(LogFormat.RECORD_HEADER);
        if (ChunkFrame.header(frame).rawLength() != p.to() - p.from()) {
            throw new CorruptDataException("record at log offset " + p.position() + " does not match its index");
        }
        ChunkFrame.decode(frame, out);
    }

    // ---- writes --------------------------------------------------------------------------------------

    /** A record built in the batch, applied to the index once the batch is on disk. */
    private record Built(LogFormat.RecordHeader header, int at, int rawLength, long chunk, byte[] content) {
    }

    int write(BackingFile log, ByteBuffer src, long offset, boolean append) throws IOException {
        lock.writeLock().lock();
        try {
            if (append) {
                offset = index.size();
            }
            int length = src.remaining();
            if (length == 0) {
                return 0;
            }
            long end = offset + length;
            prepareLog(log);
            ByteBuffer batch = buffer(WRITING, 3 * maxRecordLength());
            List<Built> built = new ArrayList<>(4);
            long pos = offset;
            long stored = offset; // the batches flushed hold [offset, stored)
            try {
                while (pos < end) {
                    long chunk = pos >>> shift;
                    int from = (int) (pos - (chunk << shift));
                    int n = (int) Math.min(end - pos, chunkSize - from);
                    if (batch.remaining() < maxRecordLength()) {
                        flush(log, batch, built);
                        stored = pos;
                    }
                    ByteBuffer part = src.slice(src.position() + (int) (pos - offset), n);
                    built.add(buildWrite(log, batch, chunk, from, part, Math.max(index.size(), pos + n)));
                    pos += n;
                }
                flush(log, batch, built);
            } catch (PosixException e) {
                if (stored == offset) {
                    throw e;
                }
                // The log filled up after some batches: a short write of what they hold, as write(2) gives it.
                src.position(src.position() + (int) (stored - offset));
                return (int) (stored - offset);
            }
            src.position(src.position() + length);
            return length;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Built buildWrite(BackingFile log, ByteBuffer batch, long chunk, int from, ByteBuffer part, long sizeAfter)
            throws IOException {
        ChunkIndex.Entry e = index.entry(chunk);
        int valid = e == null ? 0 : e.validLength;
        int to = from + part.remaining();
        if (from == 0 && to == chunkSize && !writeCache) {
            // A whole chunk (streaming writes): compressed straight from the caller's buffer, not cached.
            return record(batch, LogFormat.FULL, chunk, 0, part, sizeAfter, null);
        }
        if (from == 0 && to >= valid) {
            byte[] content = new byte[to];
            part.get(part.position(), content);
            return record(batch, LogFormat.FULL, chunk, 0, ByteBuffer.wrap(content), sizeAfter, content);
        }
        // Overwrites consolidate a chunk at MAX_PIECES pieces (they bound read amplification); appends,
        // which only add bytes, go on as pieces up to MAX_APPEND_PIECES: a WAL writer's append never pays
        // for recompressing its chunk. Its chunks are consolidated after the last writer closes, in the
        // background (ChunkedFiles' compactor).
        boolean appending = e != null && from >= e.validLength;
        if (e != null && e.pieces.size() >= (appending ? MAX_APPEND_PIECES : MAX_PIECES)) {
            byte[] old = chunk(log, chunk);
            byte[] content = java.util.Arrays.copyOf(old, Math.max(old.length, to));
            part.get(part.position(), content, from, part.remaining());
            return record(batch, LogFormat.FULL, chunk, 0, ByteBuffer.wrap(content), sizeAfter, content);
        }
        byte[] cached = cache.peek(fileId, chunk);
        byte[] content = null;
        if (cached != null) {
            content = java.util.Arrays.copyOf(cached, Math.max(cached.length, to));
            part.get(part.position(), content, from, part.remaining());
        }
        return record(batch, LogFormat.PATCH, chunk, from, part, sizeAfter, content);
    }

    /** Appends a record of {@code raw} to the batch; {@code content} is the chunk afterwards, if known. */
    private Built record(ByteBuffer batch, int type, long chunk, int offset, ByteBuffer raw, long sizeAfter,
                         byte[] content) {
        int at = batch.position();
        int rawLength = raw.remaining();
        batch.position(at + LogFormat.RECORD_HEADER);
        int frameLength = type == LogFormat.SIZE ? 0 : compressor.encode(raw, batch);
        LogFormat.putRecordHeader(batch.duplicate().position(at), type, chunk, offset, frameLength, sizeAfter);
        return new Built(new LogFormat.RecordHeader(type, chunk, offset, frameLength, sizeAfter), at, rawLength, chunk,
                content);
    }

    /** Writes the batch at the end of the log, then (only then) applies it to the index and the cache. */
    private void flush(BackingFile log, ByteBuffer batch, List<Built> built) throws IOException {
        if (built.isEmpty()) {
            return;
        }
        batch.flip();
        long base = start(log, batch.limit());
        zeroAhead(log, base + batch.limit());
        log.writeAll(batch, base);
        logEnd = base + batch.limit();
        for (Built b : built) {
            index.apply(b.header(), base + b.at(), b.rawLength());
            if (b.header().type() == LogFormat.SIZE) {
                continue;
            }
            if (b.content() != null) {
                cache.put(fileId, b.chunk(), b.content());
            } else {
                cache.invalidate(fileId, b.chunk());
            }
        }
        batch.clear();
        built.clear();
    }

    /**
     * Where a batch of {@code length} bytes goes: the log's end, or for a batch of streaming writes the
     * next offset the backing file prefers for appends ({@link BackingFile#appendAlignment}). The gap
     * reads as zeros, which a scan skips, and costs under 6% of such a batch; small batches (a WAL's
     * appends, each followed by a sync) stay packed.
     */
    private long start(BackingFile log, int length) {
        int alignment = log.appendAlignment();
        if (alignment <= 1 || length < ALIGNED_BATCH) {
            return logEnd;
        }
        return (logEnd + alignment - 1) / alignment * alignment;
    }

    /** The smallest batch worth starting at the backing file's preferred alignment. */
    private static final int ALIGNED_BATCH = 64 << 10;

    /**
     * A file that is being synced (a WAL) gets its log zero-filled a MiB ahead of its end. Appends then
     * overwrite allocated blocks inside the file's size, so their fdatasync writes data only; an append
     * that grows the file needs a journal commit too, which doubled the sync latency. A scan skips the
     * zeros; the last writer to close cuts them off ({@link #finishWriting}). Caller holds the write lock.
     */
    private void zeroAhead(BackingFile log, long end) throws IOException {
        if (!synced || end + ZERO_AHEAD / 2 <= zeroedEnd) {
            return;
        }
        long from = Math.max(zeroedEnd, end);
        long to = (end + ZERO_AHEAD + 65535) & ~65535L;
        for (long at = from; at < to; at += ZERO_AHEAD) {
            log.writeAll(ZERO_BLOCK.duplicate().limit((int) Math.min(ZERO_AHEAD, to - at)), at);
        }
        zeroedEnd = to;
    }

    /**
     * Whether closing the last writer leaves work: pieces to consolidate, garbage, zeros ahead of the
     * log, units of {@code log} to clean ({@link #clean}).
     */
    boolean needsFinishing(BackingFile log) {
        long unit = log.reclaimUnit();
        lock.readLock().lock();
        try {
            return zeroedEnd > logEnd || index.hasGarbage() || index.fragmented()
                    || unit > 0 && !index.chunksInSparseUnits(unit, logEnd).isEmpty();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Rewrites every chunk held in several pieces as one FULL record (better ratio, one decompression
     * per read), one chunk per write-lock hold so that readers and writers interleave. The garbage
     * this makes is punched by the next sync.
     */
    void consolidate(BackingFile log) throws IOException {
        for (long chunk : underReadLock(ChunkIndex::fragmentedChunks)) {
            rewrite(log, chunk, 2);
        }
    }

    /**
     * Where {@code log} frees space only in whole units (a block volume's file), rewrites at the log's
     * end every chunk with a record in a unit that live records fill less than half, in the way
     * {@link #consolidate} does: once the next sync punches their old records, such units hold nothing
     * and go back. A file rewritten page by page (a recycled WAL segment) otherwise keeps every unit
     * that still holds one live record.
     */
    void clean(BackingFile log) throws IOException {
        long unit = log.reclaimUnit();
        if (unit <= 0) {
            return;
        }
        for (long chunk : underReadLock(i -> i.chunksInSparseUnits(unit, logEnd))) {
            rewrite(log, chunk, 1);
        }
    }

    /** Writes {@code chunk} again as one FULL record if it is still held in at least {@code pieces} records. */
    private void rewrite(BackingFile log, long chunk, int pieces) throws IOException {
        lock.writeLock().lock();
        try {
            ChunkIndex.Entry e = index.entry(chunk);
            if (e == null || e.pieces.size() < pieces) {
                return; // truncated or rewritten meanwhile
            }
            byte[] content = chunk(log, chunk);
            ByteBuffer batch = buffer(WRITING, 3 * maxRecordLength());
            List<Built> built = new ArrayList<>(1);
            built.add(record(batch, LogFormat.FULL, chunk, 0, ByteBuffer.wrap(content), index.size(), content));
            keepingTheTime(log, () -> flush(log, batch, built));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Wall-clock nanoseconds when the last housekeeping began and ended (Long.MAX_VALUE while it runs; 0
     * before the first): what {@link #mayShowARewrite} compares a stat's mtime with.
     */
    private volatile long housekeepingStarted;
    private volatile long housekeepingEnded;

    @FunctionalInterface
    private interface Housekeeping {
        void run() throws IOException;
    }

    /**
     * Runs work that changes the backing file but not the file (rewriting, trimming, punching): its mtime
     * stays the last write's or the last one set (cp -p and tar set it before the close that starts
     * this work; the kernel also drops a file's page cache when it sees the mtime change). Caller holds
     * the write lock, as {@link #changeTimes} takes it, so that no write or time set falls between
     * reading the mtime and putting it back.
     */
    private void keepingTheTime(BackingFile log, Housekeeping work) throws IOException {
        Stat before = log.attributes();
        housekeepingEnded = Long.MAX_VALUE;
        housekeepingStarted = wallClockNanos();
        try {
            work.run();
        } finally {
            try {
                log.changeMetadata(new MetadataChange.Times(0, Flags.UTIME_OMIT, before.mtimeSec, before.mtimeNsec));
            } finally {
                housekeepingEnded = wallClockNanos();
            }
        }
    }

    private static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The kernel stamps files from a clock that may lag the wall clock by a tick or two. */
    private static final long CLOCK_SLACK_NANOS = 50_000_000L;

    /**
     * Whether {@code st}, read from the backing file without the lock, may show the mtime of a rewrite
     * between housekeeping's write and its putting the kept mtime back: then the attributes must be read
     * again under the lock ({@link #attributes}). Rarely true: only for an mtime from the time of the
     * last housekeeping (a write after it has a later one).
     */
    boolean mayShowARewrite(Stat st) {
        long started = housekeepingStarted;
        if (started == 0) {
            return false;
        }
        long mtime = st.mtimeSec * 1_000_000_000L + st.mtimeNsec;
        long ended = housekeepingEnded; // Long.MAX_VALUE while it runs
        return mtime >= started - CLOCK_SLACK_NANOS && (ended == Long.MAX_VALUE || mtime <= ended + CLOCK_SLACK_NANOS);
    }

    /** The backing file's attributes with the logical size, read under the lock: never a rewrite's mtime. */
    Stat attributes(BackingFile log) throws IOException {
        lock.readLock().lock();
        try {
            Stat st = log.attributes();
            st.size = index.size();
            return st;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sets times (futimens, utimensat) under the write lock: never between housekeeping's look and its restore. */
    void changeTimes(ContentFormat.TimesChange set) throws IOException {
        lock.writeLock().lock();
        try {
            set.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The last writer closes: the zeros ahead of the log go, then the garbage (after an fdatasync). */
    void finishWriting(BackingFile log) throws IOException {
        lock.writeLock().lock();
        try {
            if (zeroedEnd > logEnd) {
                keepingTheTime(log, () -> log.truncate(logEnd));
            }
            zeroedEnd = 0;
            synced = false;
        } finally {
            lock.writeLock().unlock();
        }
        if (hasGarbage()) {
            sync(log, true, true, true);
        }
    }

    /** Caller holds the write lock. Gives a new file its header; cuts a torn tail before the first append. */
    private void prepareLog(BackingFile log) throws IOException {
        if (trimTail) {
            log.truncate(logEnd);
            trimTail = false;
        }
        if (logEnd == 0) {
            long id = ThreadLocalRandom.current().nextLong() | 1;
            ByteBuffer head = ByteBuffer.allocateDirect(LogFormat.FILE_HEADER);
            LogFormat.putFileHeader(head, shift, id);
            log.writeAll(head.flip(), 0);
            fileId = id;
            logEnd = LogFormat.FILE_HEADER;
        }
    }

    // ---- truncation --------------------------------------------------------------------------------

    void truncate(BackingFile log, long newSize) throws IOException {
        lock.writeLock().lock();
        try {
            long size = index.size();
            if (newSize == size && (newSize > 0 || logEnd == 0)) {
                return;
            }
            prepareLog(log);
            if (newSize == 0) {
                // Everything goes: cut the log back to its header in one atomic step.
                for (long chunk : index.chunksFrom(0)) {
                    cache.invalidate(fileId, chunk);
                }
                log.truncate(LogFormat.FILE_HEADER);
                index.clear();
                cuts++;
                logEnd = LogFormat.FILE_HEADER;
                zeroedEnd = 0;
                return;
            }
            ByteBuffer batch = buffer(WRITING, 3 * maxRecordLength());
            List<Built> built = new ArrayList<>(1);
            long chunk = newSize >>> shift;
            int keep = (int) (newSize - (chunk << shift));
            List<Long> dropped = newSize < size ? index.chunksFrom(keep == 0 ? chunk : chunk + 1) : List.of();
            if (newSize < size && keep > 0 && index.entry(chunk) != null) {
                byte[] old = chunk(log, chunk);
                byte[] content = java.util.Arrays.copyOf(old, Math.min(old.length, keep));
                built.add(record(batch, LogFormat.FULL, chunk, 0, ByteBuffer.wrap(content), newSize, content));
            } else {
                built.add(record(batch, LogFormat.SIZE, 0, 0, ByteBuffer.allocate(0), newSize, null));
            }
            flush(log, batch, built);
            for (long c : dropped) {
                cache.invalidate(fileId, c);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---- durability and garbage --------------------------------------------------------------------

    /**
     * fsync/fdatasync of the log (the logical size lives in it, so fdatasync covers it too); then the
     * records superseded before it may be punched out, which is safe only now that their replacements
     * are durable. Punching needs a writable descriptor; without one the garbage waits for the next.
     */
    void sync(BackingFile log, boolean dataOnly, boolean writable) throws IOException {
        sync(log, dataOnly, writable, false);
    }

    /**
     * As {@link #sync(int, boolean, boolean)}; garbage is punched only once it reaches
     * {@link #PUNCH_BATCH} bytes, or with {@code punchAll} (the last writer closing): each punch makes
     * the next fdatasync commit the journal, so a WAL writer's syncs should not pay it every time.
     */
    void sync(BackingFile log, boolean dataOnly, boolean writable, boolean punchAll) throws IOException {
        List<long[]> garbage;
        long cut;
        lock.writeLock().lock();
        try {
            synced |= writable;
            boolean punch = writable && (punchAll || index.garbageBytes() >= PUNCH_BATCH);
            garbage = punch ? index.takeGarbage() : List.of();
            cut = cuts;
        } finally {
            lock.writeLock().unlock();
        }
        try {
            log.sync(dataOnly);
        } catch (IOException | RuntimeException e) {
            giveBack(garbage, cut);
            throw e;
        }
        if (garbage.isEmpty()) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (cuts != cut) {
                return; // the log was cut to its header while it synced: the garbage went with it
            }
            keepingTheTime(log, () -> punch(log, coalesce(garbage)));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Caller holds the write lock, and the log was not cut since {@code ranges} were taken. */
    private void punch(BackingFile log, List<long[]> ranges) throws IOException {
        for (int i = 0; i < ranges.size(); i++) {
            long[] g = ranges.get(i);
            try {
                log.allocate(Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, g[0], g[1]);
            } catch (PosixException e) {
                if (e.errno() == Errno.EOPNOTSUPP) {
                    return; // the backing filesystem cannot punch: the garbage stays (see docs/storage-types.md)
                }
                giveBack(ranges.subList(i, ranges.size()), cuts);
                throw e;
            }
        }
    }

    /**
     * Sorted, with adjacent ranges merged: records are smaller than a block, and only a punch that
     * spans whole blocks frees them (a partial block is only zeroed).
     */
    static List<long[]> coalesce(List<long[]> ranges) {
        List<long[]> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> out = new ArrayList<>(sorted.size());
        for (long[] r : sorted) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[0] + last[1]) {
                last[1] = Math.max(last[1], r[0] + r[1] - last[0]);
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }

    /** Garbage not punched goes back to the index, unless the log was cut since it was taken. */
    private void giveBack(List<long[]> garbage, long cut) {
        lock.writeLock().lock(); // reentrant: a failed punch holds it already
        try {
            if (cuts == cut) {
                index.returnGarbage(garbage);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static ByteBuffer buffer(int slot, int capacity) {
        ByteBuffer[] held = BUFFERS.get();
        if (held[slot] == null || held[slot].capacity() < capacity) {
            held[slot] = ByteBuffer.allocateDirect(capacity);
        }
        return held[slot].clear();
    }
}
