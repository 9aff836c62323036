package io.xdevfs.tiers.compressed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.xdevfs.codecs.CompressionStats;
import io.xdevfs.codecs.Compressor;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.cache.BlockCache;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;

/**
 * The compressed files of one volume: the shared state of each open file ({@link Shared}, kept in
 * the file's entry of the volume's {@link OpenFiles}: one {@link ChunkedFile} however many handles),
 * the logical sizes of recently closed files (so that stat and ls do not rescan logs), the chunk
 * cache, the compression statistics and the background finishing of closed files.
 *
 * <p>Thread-safe. A file's state is made once by its first open ({@link OpenFiles.Entry#stateOr}, so
 * the recovery scan never runs twice at once and never blocks another file's open); the writer count
 * and the last seen backing attributes are guarded by the {@link Shared} itself.
 */
public final class ChunkedFiles {
    /** One open compressed file's state, shared by its handles. */
    static final class Shared {
        final ChunkedFile file;
        /** Guarded by this. */
        private int writers;
        /** What the backing file looked like when a handle last let go: the closed size's check. */
        private Known lastSeen;

        Shared(ChunkedFile file) {
            this.file = file;
        }
    }

    /** A closed file's logical size, valid while its backing file has not changed. */
    private record Known(long size, long backingSize, long mtimeSec, long mtimeNsec, long ctimeSec, long ctimeNsec) {
        static Known of(Stat st, long size) {
            return new Known(size, st.size, st.mtimeSec, st.mtimeNsec, st.ctimeSec, st.ctimeNsec);
        }

        boolean describes(Stat st) {
            return backingSize == st.size && mtimeSec == st.mtimeSec && mtimeNsec == st.mtimeNsec
                    && ctimeSec == st.ctimeSec && ctimeNsec == st.ctimeNsec;
        }
    }

    private final CompressionSettings settings;
    private final CompressionStats stats = new CompressionStats();
    private final BlockCache cache;
    private final boolean writeCache;
    private final Cache<Long, Known> closed = Caffeine.newBuilder().maximumSize(16_384).executor(Runnable::run).build();
    /**
     * Finishes files after their last writer closed (consolidation, trimming, punching): one
     * low-priority thread, so that neither a close nor the FUSE thread waits for it.
     */
    private final java.util.concurrent.ExecutorService compactor = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "xdevfs-compactor");
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });
    private static volatile java.util.function.Consumer<Exception> onFault = e -> { };

    ChunkedFiles(CompressionSettings settings, BlockCache cache, boolean writeCache) {
        this.settings = settings;
        this.cache = cache;
        this.writeCache = writeCache;
    }

    CompressionStats stats() {
        return stats;
    }

    BlockCache cache() {
        return cache;
    }

    /** Where a failure of background work is reported (the daemon logs it); the file stays valid. */
    public static void onFault(java.util.function.Consumer<Exception> listener) {
        onFault = listener;
    }

    /** The shared state of the file {@code log} holds (entry {@code open}), rebuilt from its log when no handle has it. */
    ChunkedFile acquire(BackingFile log, OpenFiles.Entry open, boolean writable) throws IOException {
        Shared shared = open.stateOr(() -> new Shared(load(log, open.id)));
        if (writable) {
            synchronized (shared) {
                shared.writers++;
            }
        }
        return shared.file;
    }

    private ChunkedFile load(BackingFile log, long id) throws IOException {
        Compressor compressor = new Compressor(settings.codec(), settings.level(), settings.threshold(),
                settings.adaptive(), stats);
        return ChunkedFile.open(log, id, settings.chunkShift(), compressor, cache, writeCache);
    }

    /**
     * Gives up one handle's share (its entry reference goes after this). The last writable handle to
     * close leaves the cut of the zeros written ahead of the log and the punching of garbage (after an
     * fdatasync that makes the replacements durable) to the background, which holds its own reference.
     */
    void release(OpenFiles.Entry open, BackingFile log, boolean writable) throws IOException {
        Shared shared = open.state();
        boolean finish;
        synchronized (shared) {
            finish = writable && --shared.writers == 0 && shared.file.needsFinishing(log);
        }
        if (finish) {
            BackingFile own = log.duplicate(); // the handle's closes now; the work needs its own
            open.retain(); // and keeps the shared state alive until it is done
            compactor.execute(() -> finish(open, shared, own));
        }
        seen(shared, log);
    }

    private static void seen(Shared shared, BackingFile log) throws IOException {
        Known known = Known.of(log.attributes(), shared.file.size());
        synchronized (shared) {
            shared.lastSeen = known;
        }
    }

    /** The file's last reference went ({@link ContentFormat#closeState}): remember its size for stat. */
    void closed(Shared shared) {
        synchronized (shared) {
            if (shared.lastSeen != null) {
                closed.put(shared.file.ino, shared.lastSeen);
            }
        }
    }

    private void finish(OpenFiles.Entry open, Shared shared, BackingFile log) {
        try {
            shared.file.consolidate(log);
            shared.file.clean(log);
            shared.file.finishWriting(log);
            seen(shared, log);
        } catch (IOException | RuntimeException e) {
            onFault.accept(new IOException("compaction of a closed compressed file failed (it stays valid, in "
                    + "pieces): " + e, e));
        } finally {
            try {
                log.close();
                open.release();
            } catch (IOException e) {
                onFault.accept(e);
            }
        }
    }

    /** Waits until background work queued so far is done. */
    void drain() throws InterruptedException {
        try {
            compactor.submit(() -> { }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets queued work finish (a minute at most), then stops the thread. */
    void close() {
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
                onFault.accept(new IOException("background compaction still running after 60 s; left unfinished"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sets {@code st.size} of a backing regular file to its logical size ({@code open}: its entry if open, or null). */
    void logicalSize(Stat st, OpenFiles.Entry open, ContentFormat.Opener opener) throws IOException {
        if (!st.isRegularFile()) {
            return;
        }
        if (st.size == 0) {
            return;
        }
        Shared shared = open == null ? null : open.state();
        if (shared != null) {
            if (shared.file.mayShowARewrite(st)) { // read without the lock, maybe mid-housekeeping: again, with it
                try (BackingFile log = opener.open()) {
                    Stat fresh = shared.file.attributes(log);
                    st.mtimeSec = fresh.mtimeSec;
                    st.mtimeNsec = fresh.mtimeNsec;
                    st.ctimeSec = fresh.ctimeSec;
                    st.ctimeNsec = fresh.ctimeNsec;
                    st.blocks = fresh.blocks;
                    st.size = fresh.size;
                }
                return;
            }
            st.size = shared.file.size();
            return;
        }
        Known known = closed.getIfPresent(st.ino);
        if (known != null && known.describes(st)) {
            st.size = known.size();
            return;
        }
        try (BackingFile log = opener.open()) {
            long size = load(log, st.ino).size();
            closed.put(st.ino, Known.of(st, size));
            st.size = size;
        }
    }
}
