package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;

/**
 * How a {@link DirectoryVolume} stores a file's bytes in its backing file: raw, sparse or compressed.
 * The volume owns the namespace and the descriptors; the format owns what the bytes mean.
 */
public interface ContentFormat {

    /** The backing open flags for a caller's (already stripped of what the volume handles) flags. */
    default int backingFlags(int flags) {
        return flags;
    }

    /**
     * Takes over {@code file} (closing it on failure) and returns the handle the caller gets; {@code open}
     * is the file's entry in the volume's {@link OpenFiles}, which the caller holds until the handle closes.
     */
    Content wrap(BackingFile file, OpenFiles.Entry open, int flags) throws IOException;

    /** The last reference to a file whose entry got state from this format went: end that state. */
    default void closeState(Object state) throws IOException {
    }

    /**
     * Turns the backing file's attributes into the file's; {@code open} is its entry if it is open now
     * (else null), {@code opener} opens it for a look inside if needed.
     */
    default void toLogical(Stat backing, OpenFiles.Entry open, Opener opener) throws IOException {
    }

    /** Opens a closed file's backing file for a look inside (its caller closes it). */
    @FunctionalInterface
    interface Opener {
        BackingFile open() throws IOException;
    }

    /**
     * Sets the times of an open file ({@code set}: a utimensat by name) where the format's own work on
     * its backing file cannot fall in between (a compressed file's housekeeping puts the mtime back).
     */
    default void changingTimes(OpenFiles.Entry open, TimesChange set) throws IOException {
        set.run();
    }

    /** A change of a file's times. */
    @FunctionalInterface
    interface TimesChange {
        void run() throws IOException;
    }

    /** What compression achieved; empty for formats that do not compress. */
    default java.util.Optional<io.xdevfs.codecs.CompressionStats> compressionStats() {
        return java.util.Optional.empty();
    }

    /** The format's own figures (a compressed format's chunk cache and codecs). */
    default void registerGauges(Metrics metrics) {
    }

    /** For tests: waits until background work queued so far is done. */
    default void drain() throws InterruptedException {
    }

    /** Ends background work of the format before the volume closes. */
    default void close() {
    }

    /**
     * {@code content} emptied when the caller opened it writable with O_TRUNC (formats whose size is their
     * own, not the backing file's, truncate through the content); closed if that fails.
     */
    static Content truncatedIfAsked(Content content, int flags) throws IOException {
        if ((flags & io.xdevfs.posix.Flags.O_TRUNC) == 0
                || (flags & io.xdevfs.posix.Flags.O_ACCMODE) == io.xdevfs.posix.Flags.O_RDONLY) {
            return content;
        }
        try {
            content.truncate(0);
            return content;
        } catch (IOException | RuntimeException e) {
            content.close();
            throw e;
        }
    }

    /** The raw format of {@code storage_type = regular}: the backing file's bytes are the file's bytes. */
    ContentFormat RAW = (file, open, flags) -> file;
}
