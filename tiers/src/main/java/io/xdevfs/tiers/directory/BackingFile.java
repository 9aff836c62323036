package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Content;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a content format keeps a file's bytes in: positional reads and writes, size, truncate,
 * allocate and punch, holes, sync. A file below a base directory ({@link DescriptorFile}) is one; an
 * extent range of a block device or a file of another volume can be others, and every format (raw,
 * sparse, direct, compressed; mmap where there is a descriptor to map) sits over any of them. As a
 * {@link Content} it is the raw format itself: its bytes are the file's.
 *
 * <p>Thread-safe as {@link Content} is. {@link #attributes()} gives the file's xdevfs id
 * ({@link #id()}) as its inode number.
 */
public interface BackingFile extends Content {

    /** The file's id ({@link FileIds}): what the engine above keys its per-file state by. */
    long id();

    /**
     * One read into {@code dst} (retried only on EINTR): a file opened for direct I/O must not be asked
     * again from the unaligned offset a short read at its end leaves.
     */
    int readOnce(ByteBuffer dst, long offset) throws IOException;

    long size() throws IOException;

    /** The first offset at or after {@code offset} that is not a hole, or -1 past the last data. */
    default long seekData(long offset) throws IOException {
        try {
            return seek(offset, true);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENXIO) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * The offsets at which a format's appends cost least: a multiple of this. 1, the default, where any
     * offset is as good; a block volume's file says its block size, since a write that starts inside a
     * block already written reads and rewrites that block and, the first time in an allocation unit,
     * flushes the device to make the overwrite safe.
     */
    default int appendAlignment() {
        return 1;
    }

    /**
     * The granularity in which punched holes give space back when it is coarser than a block: a block
     * volume's allocation unit. 0, the default, where every punched block is free again.
     */
    default long reclaimUnit() {
        return 0;
    }

    /** Reserves space ahead of data to cover a write ending at {@code end}, where configured; advisory. */
    default void reserve(long end) throws IOException {
    }

    /** A second handle of the same file for work that outlives this one (its own to close). */
    BackingFile duplicate() throws IOException;

    /** The file's descriptor, valid for the current call, for what needs one (a shared mapping); EOPNOTSUPP without. */
    default int descriptor() throws PosixException {
        throw new PosixException(Errno.EOPNOTSUPP, "this backing file has no descriptor to map", null);
    }
}
