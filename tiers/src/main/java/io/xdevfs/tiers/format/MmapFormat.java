package io.xdevfs.tiers.format;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.directory.BackingFile;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;

import java.io.IOException;

/**
 * {@code storage_type = mmap}: every handle of an inode shares one {@link MappedFile}, so that all of
 * them agree on the size that bounds their mapped accesses.
 */
public final class MmapFormat implements ContentFormat {
    private final Posix posix;
    private final long windowSize;

    public MmapFormat(Posix posix, long windowSize) {
        this.posix = posix;
        this.windowSize = windowSize;
    }

    /**
     * Read-write (a writable shared mapping needs it), without O_APPEND and O_TRUNC: appends and
     * truncation go through the shared {@link MappedFile}, which must know every size change.
     */
    @Override
    public int backingFlags(int flags) {
        return (flags & ~(Flags.O_ACCMODE | Flags.O_APPEND | Flags.O_TRUNC)) | Flags.O_RDWR;
    }

    @Override
    public Content wrap(BackingFile backing, OpenFiles.Entry open, int flags) throws IOException {
        MappedFile file;
        try {
            int fd = backing.descriptor();
            file = open.stateOr(() -> new MappedFile(posix, posix.dup(fd), windowSize));
        } catch (IOException | RuntimeException e) {
            backing.close();
            throw e;
        }
        return ContentFormat.truncatedIfAsked(new MmapContent(backing, file, (flags & Flags.O_APPEND) != 0), flags);
    }

    /** The last handle of the file closed: unmap its windows and close the mapping's descriptor. */
    @Override
    public void closeState(Object state) throws IOException {
        ((MappedFile) state).close();
    }
}
