package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code storage_type = mmap}: every handle of an inode shares one {@link MappedFile}, so that all of
 * them agree on the size that bounds their mapped accesses.
 */
final class MmapFormat implements ContentFormat {
    private static final class Shared {
        final MappedFile file;
        int refs;

        Shared(MappedFile file) {
            this.file = file;
        }
    }

    private final Posix posix;
    private final long windowSize;
    private final ConcurrentHashMap<Long, Shared> open = new ConcurrentHashMap<>();

    MmapFormat(Posix posix, long windowSize) {
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
    public Content wrap(BackingFile backing, int flags) throws IOException {
        long ino;
        MappedFile file;
        try {
            ino = backing.id();
            file = acquire(backing.descriptor(), ino);
        } catch (IOException | RuntimeException e) {
            backing.close();
            throw e;
        }
        MmapContent content = new MmapContent(backing, file, (flags & Flags.O_APPEND) != 0, () -> release(ino));
        if ((flags & Flags.O_TRUNC) != 0 && (flags & Flags.O_ACCMODE) != Flags.O_RDONLY) {
            try {
                content.truncate(0);
            } catch (IOException | RuntimeException e) {
                content.close();
                throw e;
            }
        }
        return content;
    }

    private MappedFile acquire(int fd, long ino) throws IOException {
        try {
            return open.compute(ino, (k, shared) -> {
                if (shared == null) {
                    try {
                        shared = new Shared(new MappedFile(posix, posix.dup(fd), windowSize));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                shared.refs++;
                return shared;
            }).file;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void release(long ino) {
        open.computeIfPresent(ino, (k, shared) -> {
            if (--shared.refs > 0) {
                return shared;
            }
            try {
                shared.file.close();
            } catch (IOException e) {
                // the handle is gone either way; the mapping's pages were written back by the kernel
            }
            return null;
        });
    }
}
