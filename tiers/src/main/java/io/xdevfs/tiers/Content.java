package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file's bytes. Obtained from {@link Volume#open} or {@link Volume#create}; stays usable after
 * the file is unlinked or renamed, until {@link #close()}. Thread-safe: concurrent positional reads
 * and writes are allowed, as with pread/pwrite.
 */
public interface Content extends Closeable {

    /** Fills {@code dst} from {@code offset} until it is full or the file ends; returns bytes read. */
    int read(ByteBuffer dst, long offset) throws IOException;

    /**
     * Writes {@code src} at {@code offset} (at the end for an O_APPEND handle) and returns the bytes
     * stored: all of them, or as write(2) does when the space runs out partway, the count of a prefix
     * that is in the file (its error then comes from the next write). Throws when nothing was stored.
     */
    int write(ByteBuffer src, long offset) throws IOException;

    /**
     * Writes all of {@code src} at {@code offset} or throws: for a copy or a format's own records,
     * which a short write must never leave in part unnoticed. Not for an O_APPEND handle.
     */
    default void writeAll(ByteBuffer src, long offset) throws IOException {
        int total = src.remaining();
        int start = src.position();
        for (int done = 0; done < total; ) {
            int n = write(src.slice(start + done, total - done), offset + done); // a retry after a short write throws its error
            if (n <= 0) {
                throw new PosixException(Errno.EIO, "a write stored nothing", null);
            }
            done += n;
        }
        src.position(start + total);
    }

    /** Returns only when the data (and with {@code dataOnly == false} the metadata) is durable. */
    void sync(boolean dataOnly) throws IOException;

    /**
     * Starts writing what was written through this content to the device, without waiting and without
     * making it durable ({@link #sync} still does that): a large copy that calls this after each small
     * piece reaches the disk as a steady trickle instead of one burst at its sync, which every other
     * writer's fdatasync on the disk would wait behind. A hint; does nothing where nothing is buffered.
     */
    default void startWriteback() throws IOException {
    }

    void truncate(long size) throws IOException;

    Stat attributes() throws IOException;

    /**
     * The file's size, as {@link #attributes()} has it. A plain backing file reads it without the times
     * ({@link io.xdevfs.posix.Posix#fileSize}): for the size taken at every sync.
     */
    default long size() throws IOException {
        return attributes().size;
    }

    /** fallocate(2): mode 0 or FALLOC_FL_KEEP_SIZE; other modes are EOPNOTSUPP unless a type supports them. */
    void allocate(int mode, long offset, long length) throws IOException;

    /**
     * lseek(2) SEEK_DATA ({@code data}) or SEEK_HOLE from {@code offset}: ENXIO at or past the end. A
     * format that knows no holes answers that everything is data, which is what lseek promises at least.
     */
    default long seek(long offset, boolean data) throws IOException {
        long size = size();
        if (offset < 0) {
            throw new PosixException(Errno.EINVAL, "lseek", null);
        }
        if (offset >= size) {
            throw new PosixException(Errno.ENXIO, "lseek", null);
        }
        return data ? offset : size;
    }

    /** fchmod, fchown or futimens of this open file, named or not. */
    default void changeMetadata(MetadataChange change) throws IOException {
        throw new PosixException(Errno.EOPNOTSUPP, "metadata change through a handle", null);
    }

    /**
     * getxattr(2) of this open file, named or not: the value's length, and with a zero-capacity
     * {@code value} only the length it needs.
     */
    default int getxattr(String name, ByteBuffer value) throws IOException {
        throw new PosixException(Errno.EOPNOTSUPP, "getxattr through a handle", name);
    }

    /** listxattr(2) of this open file, named or not, as {@link #getxattr} answers. */
    default int listxattr(ByteBuffer names) throws IOException {
        throw new PosixException(Errno.EOPNOTSUPP, "listxattr through a handle", null);
    }

    /**
     * {@link #attributes} for the reply to the open that returned this content, called before any
     * other call on it: a content that has them from its open answers without asking the file again.
     */
    default Stat attributesAtOpen() throws IOException {
        return attributes();
    }

    /**
     * Whether this open file may have lost its last name through the volume (an unlink or a rename
     * over it while it was open), so that its close frees its space: a caller must not put that close
     * off. False where it cannot tell or the file keeps a name.
     */
    default boolean mayHaveNoName() {
        return false;
    }

    /**
     * For FUSE passthrough: calls {@code registrar} with a descriptor, open read-write, of a plain file
     * that holds exactly this file's bytes at the same offsets, so that the kernel may read and write it
     * directly and this content sees none of those reads and writes; returns what the registrar returned.
     * The descriptor is valid during the call only (the registrar takes its own reference). -1, the
     * default, without calling it, where every read and write must come through this content: a format
     * that transforms, checks or places bytes, a cache, a log, a gate.
     */
    default int passThrough(PassthroughRegistrar registrar) throws IOException {
        return -1;
    }

    /** Takes a reference to a backing descriptor lent for the call ({@link #passThrough}). */
    @FunctionalInterface
    interface PassthroughRegistrar {
        /** A non-negative result, such as the kernel's backing id. */
        int register(int fd) throws IOException;
    }

    @Override
    void close() throws IOException;
}
