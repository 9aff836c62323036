package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.ForwardingVolume;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.intentlog.IntentLog;
import io.xdevfs.tiers.intentlog.RecordBody;
import io.xdevfs.tiers.intentlog.RecordType;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A memory tier whose syncs are durable through an {@link IntentLog}: every change of a name or an
 * attribute is appended to the log as it happens (not forced), every write marks its range dirty, and
 * a sync appends the dirty bytes of its file, then waits until the log has forced everything appended
 * so far. A checkpoint (the tmpfs backup) {@link #cut}s the log; once the copy is current, the dirty
 * ranges no write has touched since the cut are forgotten (the copy holds them). Until then they stay:
 * if the machine stops before the copy is current, the replay starts from the previous copy and reads
 * on across the cut, so a sync after the cut must still log them.
 *
 * <p>Order: a change and its record are made under one lock ({@code order}), so the log's order is
 * the order the changes happened in; a sync collects its bytes under it too, so no truncation or
 * rename slips between reading a file and logging it. Writes take no lock here beyond their file's
 * dirty ranges. Lock order: the {@link Gate} (taken by {@link GatedVolume} around every change, and
 * here around a sync's collection), then {@code order}, then a file's {@link DirtyRanges}, then the
 * log's monitor. A sync waits for the log's force outside all of them.
 *
 * <p>A full log never fails a sync: the sync has a checkpoint taken (which holds its bytes) and goes on.
 */
public final class LoggedVolume extends ForwardingVolume implements TmpfsBackup.Checkpointed {
    /** What a sync's collection answers when the log has no room for its bytes. */
    private static final long NO_ROOM = Long.MIN_VALUE;
    /** What a sync reads a file's dirty bytes into, one per thread. */
    private static final ThreadLocal<ByteBuffer> STAGING =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(IntentLog.MAX_DATA));

    private final Gate gate;
    private final IntentLog log;
    private final ReentrantLock order = new ReentrantLock();
    /** By file id. An entry changes only inside the map's compute (a write) or under {@code order} (a sync's take). */
    private final ConcurrentHashMap<Long, DirtyRanges> dirty = new ConcurrentHashMap<>();
    /** What each file's bytes did since the last cut: what the next checkpoint patches its copies with. */
    private final CutChanges sinceCut = new CutChanges();
    /** Counts cuts; a file's ranges carry the count of their last write. */
    private volatile long epoch;
    private volatile long lastCutEpoch;
    /** Set once, before the volume serves (the backup is made over the gated volume this one is inside). */
    private volatile TmpfsBackup checkpoints;
    /** How often a sync may try a checkpoint to bring a failed log back. */
    static final long RECOVERY_RETRY_NANOS = 5_000_000_000L;
    /** When a sync last tried (System.nanoTime), 0 for never. */
    private final AtomicLong lastRecoveryAttempt = new AtomicLong();
    private final LongAdder fullLogCheckpoints = new LongAdder();
    private final LongAccumulator maxFullLogWaitNanos = new LongAccumulator(Math::max, 0);
    private volatile long replayNanos;
    private volatile long replayedRecords;

    LoggedVolume(Volume delegate, Gate gate, IntentLog log) {
        super(delegate);
        this.gate = gate;
        this.log = log;
    }

    void checkpoints(TmpfsBackup backup) {
        this.checkpoints = backup;
    }

    void replayed(long records, long nanos) {
        replayedRecords = records;
        replayNanos = nanos;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    /** Makes a change and appends its record as one step in the log's order. */
    private void inOrder(Step change, Step record) throws IOException {
        order.lock();
        try {
            change.run();
            record.run();
        } finally {
            order.unlock();
        }
    }

    private void append(RecordType type, RecordBody body) throws IOException {
        log.append(type, body);
        if (checkpoints != null && log.checkpointDue()) {
            checkpoints.request();
        }
    }

    private static RecordBody body() {
        return new RecordBody();
    }

    private static RecordBody owned(RecordBody b, Stat st) {
        return b.putInt(st.uid).putInt(st.gid);
    }

    @Override
    public void mkdir(String path, int mode, Owner owner) throws IOException {
        inOrder(() -> delegate.mkdir(path, mode, owner), () -> {
            Stat st = delegate.getattr(path);
            append(RecordType.MKDIR, owned(body().putString(path).putLong(st.ino).putInt(st.mode & 07777), st));
        });
    }

    @Override
    public void rmdir(String path) throws IOException {
        inOrder(() -> delegate.rmdir(path), () -> append(RecordType.RMDIR, body().putString(path)));
    }

    @Override
    public void unlink(String path) throws IOException {
        inOrder(() -> delegate.unlink(path), () -> append(RecordType.UNLINK, body().putString(path)));
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        Content[] made = new Content[1];
        inOrder(() -> made[0] = delegate.create(path, readable(flags), mode, owner), () -> {
            Stat st = made[0].attributes();
            append(RecordType.CREATE, owned(body().putString(path).putLong(st.ino).putInt(st.mode & 07777), st)
                    .putInt((flags & Flags.O_TRUNC) != 0 ? 1 : 0));
            if ((flags & Flags.O_TRUNC) != 0) {
                sinceCut.truncated(st.ino, 0);
            }
        });
        return new Logged(made[0], made[0].attributes().ino, flags);
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        if ((flags & Flags.O_TRUNC) == 0 || (flags & Flags.O_ACCMODE) == Flags.O_RDONLY) {
            Content c = delegate.open(path, readable(flags));
            return new Logged(c, c.attributes().ino, flags);
        }
        Content[] opened = new Content[1];
        inOrder(() -> opened[0] = delegate.open(path, readable(flags)), () -> {
            long id = opened[0].attributes().ino;
            append(RecordType.FTRUNCATE, body().putLong(id).putLong(0));
            sinceCut.truncated(id, 0);
        });
        return new Logged(opened[0], opened[0].attributes().ino, flags);
    }

    /** A sync reads back what it logs, so a write-only handle is opened read-write below (the daemon may). */
    private static int readable(int flags) {
        return (flags & Flags.O_ACCMODE) == Flags.O_WRONLY ? (flags & ~Flags.O_ACCMODE) | Flags.O_RDWR : flags;
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        inOrder(() -> delegate.truncate(path, size), () -> {
            append(RecordType.TRUNCATE, body().putString(path).putLong(size));
            Stat st = delegate.getattr(path);
            sinceCut.truncated(st.ino, size);
            if (!dirty.isEmpty()) {
                modifiedAt(st.ino, st);
            }
        });
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        inOrder(() -> delegate.rename(from, to, flags),
                () -> append(RecordType.RENAME, body().putString(from).putString(to).putInt(flags)));
    }

    @Override
    public void symlink(String target, String path, Owner owner) throws IOException {
        inOrder(() -> delegate.symlink(target, path, owner),
                () -> append(RecordType.SYMLINK, owned(body().putString(path).putString(target), delegate.getattr(path))));
    }

    @Override
    public void link(String existing, String newPath) throws IOException {
        inOrder(() -> delegate.link(existing, newPath),
                () -> append(RecordType.LINK, body().putString(existing).putString(newPath)));
    }

    @Override
    public void chmod(String path, int mode) throws IOException {
        inOrder(() -> delegate.chmod(path, mode),
                () -> append(RecordType.CHMOD, body().putString(path).putInt(delegate.getattr(path).mode & 07777)));
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        inOrder(() -> delegate.chown(path, uid, gid),
                () -> append(RecordType.CHOWN, owned(body().putString(path), delegate.getattr(path))));
    }

    @Override
    public void utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws IOException {
        inOrder(() -> delegate.utimens(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec), () -> {
            Stat st = delegate.getattr(path);
            append(RecordType.UTIMENS, times(body().putString(path), st));
            modifiedAt(st.ino, st);
        });
    }

    /** A change that set the file's mtime: its bytes not yet logged will be logged with that mtime. */
    private void modifiedAt(long id, Stat st) {
        DirtyRanges d = dirty.get(id);
        if (d != null) {
            d.mtime = Instant.ofEpochSecond(st.mtimeSec, st.mtimeNsec);
        }
    }

    /** The times as they are now: UTIME_NOW resolved, UTIME_OMIT filled in. */
    private static RecordBody times(RecordBody b, Stat st) {
        return b.putLong(st.atimeSec).putLong(st.atimeNsec).putLong(st.mtimeSec).putLong(st.mtimeNsec);
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        inOrder(() -> delegate.mknod(path, mode, rdev, owner), () -> {
            Stat st = delegate.getattr(path);
            append(RecordType.MKNOD, owned(body().putString(path).putInt(st.mode).putLong(st.rdev), st));
        });
    }

    @Override
    public void setxattr(String path, String name, ByteBuffer value, int flags) throws IOException {
        ByteBuffer copy = value.duplicate();
        inOrder(() -> delegate.setxattr(path, name, value, flags),
                () -> append(RecordType.SETXATTR, body().putString(path).putString(name).putBytes(copy).putInt(flags)));
    }

    @Override
    public void removexattr(String path, String name) throws IOException {
        inOrder(() -> delegate.removexattr(path, name),
                () -> append(RecordType.REMOVEXATTR, body().putString(path).putString(name)));
    }

    /** Directory entries are records: making them durable is forcing the log. */
    @Override
    public void syncDirectory(String path) throws IOException {
        long start = System.nanoTime();
        try {
            log.awaitForced(log.lastAppended());
        } catch (PosixException e) {
            recoverOrThrow(e, start);
        }
    }

    /**
     * A sync that the failed log answered EIO: a checkpoint whose copy began after the sync did holds
     * everything the sync must make durable, and once it is current the log works again
     * ({@link IntentLog#trimBefore}). Tried at most every {@link #RECOVERY_RETRY_NANOS} (a copy of the
     * whole tier each time, while the disk may still be full); otherwise, or if the copy fails, the sync
     * fails with the log's EIO.
     */
    private void recoverOrThrow(PosixException e, long syncStart) throws IOException {
        TmpfsBackup backup = checkpoints;
        long now = System.nanoTime();
        long last = lastRecoveryAttempt.get();
        if (e.errno() != Errno.EIO || log.failure() == null || backup == null
                || (last != 0 && now - last < RECOVERY_RETRY_NANOS) || !lastRecoveryAttempt.compareAndSet(last, now)) {
            throw e;
        }
        try {
            backup.checkpointSince(syncStart);
        } catch (IOException copyFailed) {
            e.addSuppressed(copyFailed);
            throw e;
        }
        if (log.failure() != null) {
            throw e; // failed again while the copy ran
        }
    }

    /** The tier takes writes and the log can force: both are probed. */
    @Override
    public void checkWritable() throws IOException {
        delegate.checkWritable();
        IOException failed = log.failure();
        if (failed != null) {
            throw new IOException("intent log in " + log.directory() + " failed (fsync answers EIO): "
                    + failed.getMessage(), failed);
        }
        java.nio.file.Path probe = log.directory().resolve(".health-probe");
        try (FileChannel ch = FileChannel.open(probe, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), io.xdevfs.tiers.OwnFiles.PRIVATE_FILE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}));
            ch.force(false);
        } catch (IOException e) {
            throw new IOException("intent log directory " + log.directory() + " takes no writes: " + e, e);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    @Override
    public void registerGauges(Metrics metrics) {
        delegate.registerGauges(metrics);
        metrics.gauge("intent_log_records_total", log::appends);
        metrics.gauge("intent_log_forces_total", log::forces);
        metrics.gauge("intent_log_gathered_forces_total", log::gatheredForces);
        metrics.gauge("intent_log_records_per_force", () -> log.forces() == 0 ? 0.0
                : (double) log.appends() / log.forces());
        metrics.gauge("intent_log_bytes_total", log::bytesWritten);
        metrics.gauge("intent_log_fill_ratio", log::fill);
        metrics.gauge("intent_log_force_seconds_last", () -> log.lastForceNanos() / 1e9);
        metrics.gauge("intent_log_full_checkpoints_total", fullLogCheckpoints::sum);
        metrics.gauge("intent_log_full_wait_seconds_max", () -> maxFullLogWaitNanos.get() / 1e9);
        metrics.gauge("intent_log_replayed_records", () -> replayedRecords);
        metrics.gauge("intent_log_replay_seconds", () -> replayNanos / 1e9);
        metrics.gauge("intent_log_healthy", () -> log.failure() == null ? 1 : 0);
        metrics.gauge("intent_log_recoveries_total", log::recoveries);
    }

    // ---- checkpoints ----

    /**
     * Before the checkpoint's copy reads anything (names held still): the copy holds every byte written so
     * far, and a write whose range carries an older epoch had returned before the copy began.
     */
    @Override
    public Cut cut() {
        lastCutEpoch = ++epoch;
        long logStart = log.cut();
        return new Cut(logStart, sinceCut.handOver());
    }

    @Override
    public void notCheckpointed() {
        sinceCut.notCopied();
    }

    /** The copy is current: ranges last written before its cut are in it. */
    @Override
    public void checkpointed(long firstNeeded) {
        long cutAt = lastCutEpoch;
        for (Long id : dirty.keySet()) {
            dirty.computeIfPresent(id, (k, ranges) -> ranges.epoch < cutAt ? null : ranges);
        }
        sinceCut.copied();
        log.trimBefore(firstNeeded);
    }

    @Override
    public void close() throws IOException {
        try {
            delegate.close();
        } finally {
            log.close();
        }
    }

    /** An open file whose writes are remembered until a sync logs them. */
    private final class Logged implements Content {
        private final Content content;
        private final long id;
        private final boolean append;

        Logged(Content content, long id, int flags) {
            this.content = content;
            this.id = id;
            this.append = (flags & Flags.O_APPEND) != 0;
        }

        @Override
        public int read(ByteBuffer dst, long offset) throws IOException {
            return content.read(dst, offset);
        }

        @Override
        public int write(ByteBuffer src, long offset) throws IOException {
            // An O_APPEND write lands at the end, wherever that is by then: its bytes lie between the sizes before and after.
            long start = append ? content.size() : offset;
            int n = content.write(src, offset);
            long end = append ? content.size() : offset + n;
            long now = epoch;
            dirty.compute(id, (k, ranges) -> {
                DirtyRanges r = ranges != null ? ranges : new DirtyRanges();
                r.add(start, end);
                r.epoch = now;
                r.mtime = Instant.now();
                return r;
            });
            sinceCut.written(id, start, end);
            return n;
        }

        /**
         * With no room in the log, a checkpoint whose copy began after this sync did holds everything
         * the sync must make durable: the sync returns once that copy is current.
         */
        @Override
        public void sync(boolean dataOnly) throws IOException {
            long start = System.nanoTime();
            long upTo;
            try {
                upTo = gate.change(this::collect);
                if (upTo != NO_ROOM) {
                    log.awaitForced(upTo);
                    return;
                }
            } catch (PosixException e) {
                recoverOrThrow(e, start);
                return;
            }
            checkpoints.checkpointSince(start);
            fullLogCheckpoints.increment();
            maxFullLogWaitNanos.accumulate(System.nanoTime() - start);
        }

        /** Appends the file's dirty bytes; returns the last record the sync needs forced, or NO_ROOM. */
        private long collect() throws IOException {
            order.lock();
            try {
                DirtyRanges d = dirty.get(id);
                if (d != null) {
                    long size = content.size(); // not attributes(): reading the times costs every later log force
                    List<long[]> taken = d.take(size);
                    if (!log.hasRoom(DirtyRanges.bytes(taken))) {
                        d.restore(taken);
                        return NO_ROOM;
                    }
                    Instant mtime = d.mtime;
                    try {
                        for (long[] range : taken) {
                            logRange(range[0], range[1], size, mtime);
                        }
                    } catch (IOException | RuntimeException | Error e) {
                        d.restore(taken); // the next sync logs them again: a failed sync must not make a later one lie
                        throw e;
                    }
                }
                return log.lastAppended();
            } finally {
                order.unlock();
            }
        }

        private void logRange(long start, long end, long size, Instant mtime) throws IOException {
            for (long at = start; at < end; at += IntentLog.MAX_DATA) {
                int n = (int) Math.min(IntentLog.MAX_DATA, end - at);
                RecordBody record = new RecordBody(44 + n).putLong(id).putLong(at).putLong(size)
                        .putLong(mtime.getEpochSecond()).putLong(mtime.getNano());
                ByteBuffer bytes = record.putRun(n);
                ByteBuffer staging = STAGING.get().clear().limit(n); // a heap buffer would cost a direct one per read
                while (staging.hasRemaining()) {
                    if (content.read(staging, at + staging.position()) <= 0) {
                        break;
                    }
                }
                bytes.put(staging.flip());
                record.trimRun(bytes.position());
                append(RecordType.DATA, record);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            inOrder(() -> content.truncate(size), () -> {
                append(RecordType.FTRUNCATE, body().putLong(id).putLong(size));
                sinceCut.truncated(id, size);
                mtimeChanged();
            });
        }

        @Override
        public Stat attributes() throws IOException {
            return content.attributes();
        }

        @Override
        public long size() throws IOException {
            return content.size();
        }

        /** After a change the kernel stamped: pending bytes are logged with its mtime (read only if there are any). */
        private void mtimeChanged() throws IOException {
            if (dirty.containsKey(id)) {
                modifiedAt(id, content.attributes());
            }
        }

        @Override
        public void allocate(int mode, long offset, long length) throws IOException {
            inOrder(() -> content.allocate(mode, offset, length), () -> {
                append(RecordType.FALLOCATE, body().putLong(id).putInt(mode).putLong(offset).putLong(length));
                sinceCut.written(id, offset, offset + length); // punched or zeroed: the copy reads what it is now
                mtimeChanged();
            });
        }

        @Override
        public long seek(long offset, boolean data) throws IOException {
            return content.seek(offset, data);
        }

        @Override
        public void changeMetadata(MetadataChange change) throws IOException {
            inOrder(() -> content.changeMetadata(change), () -> {
                Stat st = content.attributes();
                if (change instanceof MetadataChange.Mode) {
                    append(RecordType.FCHMOD, body().putLong(id).putInt(st.mode & 07777));
                } else if (change instanceof MetadataChange.SetXattr x) {
                    append(RecordType.FSETXATTR, body().putLong(id).putString(x.name())
                            .putBytes(ByteBuffer.wrap(x.value())).putInt(x.flags()));
                } else if (change instanceof MetadataChange.RemoveXattr x) {
                    append(RecordType.FREMOVEXATTR, body().putLong(id).putString(x.name()));
                } else if (change instanceof MetadataChange.Owner) {
                    append(RecordType.FCHOWN, owned(body().putLong(id), st));
                } else {
                    append(RecordType.FUTIMENS, times(body().putLong(id), st));
                    modifiedAt(id, st);
                }
            });
        }

        @Override
        public int getxattr(String name, ByteBuffer value) throws IOException {
            return content.getxattr(name, value);
        }

        @Override
        public int listxattr(ByteBuffer names) throws IOException {
            return content.listxattr(names);
        }

        @Override
        public void close() throws IOException {
            content.close();
        }
    }
}
