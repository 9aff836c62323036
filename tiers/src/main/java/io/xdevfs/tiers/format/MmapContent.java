package io.xdevfs.tiers.format;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.FallocateModes;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One handle of a {@code storage_type = mmap} file: its bytes go through the inode's {@link MappedFile}. */
final class MmapContent extends BackedContent {
    private final MappedFile file;
    private final boolean append;

    MmapContent(BackingFile backing, MappedFile file, boolean append) {
        super(backing);
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
    public void allocate(int mode, long offset, long length) throws IOException {
        FallocateModes.require(mode, FallocateModes.PASS_THROUGH); // the mappings share the file's pages
        file.allocate(mode, offset, length);
    }

}
