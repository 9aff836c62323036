package io.xdevfs.tiers;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.xdevfs.codecs.CompressionStats;
import io.xdevfs.codecs.Compressor;
import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compressed files of one volume: the shared state of each open inode (one {@link ChunkedFile}
 * however many handles), the logical sizes of recently seen closed files (so that stat and ls do
 * not rescan logs), the chunk cache and the compression statistics.
 *
 * <p>Thread-safe. Opening and releasing an inode run inside {@link ConcurrentHashMap#compute}, so
 * the recovery scan of one file never runs twice at once and never blocks another file's open.
 */
final class ChunkedFiles {
    private static final class Shared {
        final ChunkedFile file;
        int refs;
        int writers;

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

    @FunctionalInterface
    interface Opener {
        BackingFile open() throws IOException;
    }

    private final CompressionSettings settings;
    private final CompressionStats stats = new CompressionStats();
    private final BlockCache cache;
    private final boolean writeCache;
    private final ConcurrentHashMap<Long, Shared> open = new ConcurrentHashMap<>();
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
    static void onFault(java.util.function.Consumer<Exception> listener) {
        onFault = listener;
    }

    /** The shared state of the file {@code log} holds, rebuilt from its log when no handle has it. */
    ChunkedFile acquire(BackingFile log, long ino, boolean writable) throws IOException {
        try {
            return open.compute(ino, (k, shared) -> {
                if (shared == null) {
                    try {
                        shared = new Shared(load(log, ino));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                shared.refs++;
                if (writable) {
                    shared.writers++;
                }
                return shared;
            }).file;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private ChunkedFile load(BackingFile log, long ino) throws IOException {
        Compressor compressor = new Compressor(settings.codec(), settings.level(), settings.threshold(),
                settings.adaptive(), stats);
        return ChunkedFile.open(log, ino, settings.chunkShift(), compressor, cache, writeCache);
    }

    /**
     * Gives up one handle's share. The last writable handle to close cuts the zeros written ahead of
     * the log and punches out the garbage (after an fdatasync that makes the replacements durable);
     * the last handle of all remembers the logical size for stat.
     */
    void release(ChunkedFile file, BackingFile log, boolean writable) throws IOException {
        IOException[] failure = new IOException[1];
        open.computeIfPresent(file.ino, (k, shared) -> {
            try {
                if (writable && --shared.writers == 0 && file.needsFinishing()) {
                    BackingFile own = log.duplicate(); // the handle's closes now; the work needs its own
                    shared.refs++; // and keeps the shared state alive until it is done
                    compactor.execute(() -> finish(file, own));
                }
                if (--shared.refs > 0) {
                    return shared;
                }
                closed.put(file.ino, Known.of(log.attributes(), file.size()));
            } catch (IOException e) {
                failure[0] = e;
                return --shared.refs > 0 ? shared : null;
            }
            return null;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private void finish(ChunkedFile file, BackingFile log) {
        try {
            file.consolidate(log);
            file.finishWriting(log);
        } catch (IOException | RuntimeException e) {
            onFault.accept(new IOException("compaction of a closed compressed file failed (it stays valid, in "
                    + "pieces): " + e, e));
        } finally {
            try {
                release(file, log, false);
                log.close();
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

    /** Sets {@code st.size} of a backing regular file to its logical size. */
    void logicalSize(Stat st, Opener opener) throws IOException {
        if (!st.isRegularFile()) {
            return;
        }
        if (st.size == 0) {
            return;
        }
        Shared shared = open.get(st.ino);
        if (shared != null) {
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
