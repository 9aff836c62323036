package io.xdevfs.tiers.compressed;

import io.xdevfs.codecs.CompressionStats;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.cache.BlockCache;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;

/**
 * {@code storage_type = compressed}: each backing file is a log of compressed chunk records
 * ({@link LogFormat}); st_size is the logical size, st_blocks the real allocation, so {@code du}
 * shows the savings. O_APPEND and O_TRUNC are logical operations here, so they are not passed to the
 * backing file, and writers get a readable descriptor (a write may have to read its chunk).
 * Backing files are opened with O_NOATIME where allowed: reading a log on open or stat is not a read
 * of the file, so reads do not move atime on this type (as with a noatime mount).
 */
public final class CompressedFormat implements ContentFormat {
    private final ChunkedFiles files;

    public CompressedFormat(CompressionSettings settings, CacheSettings cache) {
        this.files = new ChunkedFiles(settings, new BlockCache(cache.effectiveBytes(), cache.ttlSeconds()),
                cache.writeCache());
        // About 0.2 s of one core, in the background, so that the first reads do not run on cold code.
        Thread warmup = new Thread(() -> io.xdevfs.codecs.Warmup.run(settings.codec(), settings.level(), 30_000),
                "xdevfs-codec-warmup");
        warmup.setDaemon(true);
        warmup.setPriority(Thread.MIN_PRIORITY);
        warmup.start();
    }

    @Override
    public java.util.Optional<CompressionStats> compressionStats() {
        return java.util.Optional.of(files.stats());
    }

    @Override
    public void registerGauges(Metrics metrics) {
        CompressionStats stats = files.stats();
        metrics.gauge("compression_raw_bytes", stats::rawBytes);
        metrics.gauge("compression_stored_bytes", stats::storedBytes);
        metrics.gauge("compression_ratio", stats::ratio);
        for (io.xdevfs.codecs.Codec codec : io.xdevfs.codecs.Codecs.all()) {
            metrics.gauge("compression_frames_" + codec.name(), () -> stats.frames(codec));
        }
        files.cache().registerGauges(metrics);
    }

    @Override
    public int backingFlags(int flags) {
        int access = flags & Flags.O_ACCMODE;
        return (flags & ~(Flags.O_APPEND | Flags.O_TRUNC | Flags.O_ACCMODE))
                | (access == Flags.O_RDONLY ? Flags.O_RDONLY : Flags.O_RDWR) | Flags.O_NOATIME;
    }

    @Override
    public Content wrap(BackingFile backing, OpenFiles.Entry open, int flags) throws IOException {
        boolean writable = (flags & Flags.O_ACCMODE) != Flags.O_RDONLY;
        ChunkedFile file;
        try {
            file = files.acquire(backing, open, writable);
        } catch (IOException | RuntimeException e) {
            backing.close();
            throw e;
        }
        return ContentFormat.truncatedIfAsked(
                new CompressedContent(backing, file, files, open, writable, (flags & Flags.O_APPEND) != 0), flags);
    }

    @Override
    public void changingTimes(OpenFiles.Entry open, TimesChange set) throws IOException {
        if (open.state() instanceof ChunkedFiles.Shared shared) {
            shared.file.changeTimes(set);
        } else {
            set.run();
        }
    }

    @Override
    public void closeState(Object state) {
        files.closed((ChunkedFiles.Shared) state);
    }

    @Override
    public void drain() throws InterruptedException {
        files.drain();
    }

    @Override
    public void close() {
        files.close();
    }

    @Override
    public void toLogical(Stat backing, OpenFiles.Entry open, Opener opener) throws IOException {
        files.logicalSize(backing, open, opener);
    }
}
