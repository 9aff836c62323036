package io.xdevfs.tiers.format;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.FallocateModes;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/** One handle of a {@code storage_type = mmap} file: its bytes go through the inode's {@link MappedFile}. */
final class MmapContent implements Content {
    private final BackingFile backing;
    private final MappedFile file;
    private final boolean append;
    private final AtomicBoolean closed = new AtomicBoolean();

    MmapContent(BackingFile backing, MappedFile file, boolean append) {
        this.backing = backing;
        this.file = file;
        this.append = append;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return file.read(dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        backing.reserve(offset + src.remaining());
        return file.write(src, offset, append);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        file.sync(dataOnly);
    }

    @Override
    public void truncate(long size) throws IOException {
        file.truncate(size);
    }

    @Override
    public Stat attributes() throws IOException {
        return backing.attributes();
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return backing.seek(offset, data);
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        backing.changeMetadata(change);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        FallocateModes.require(mode, FallocateModes.PASS_THROUGH); // the mappings share the file's pages
        file.allocate(mode, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            backing.close(); // the shared MappedFile ends with the file's last reference (MmapFormat#closeState)
        }
    }
}
