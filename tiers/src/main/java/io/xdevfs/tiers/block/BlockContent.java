package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open file of a block volume: a handle on its inode, which stays while the handle is open. Its bytes
 * are the file's ({@code storage_type = block} alone), or the {@link BackingFile} a format keeps them in
 * (compressed, sparse files on the device).
 */
final class BlockContent implements BackingFile {
    private final BlockVolume volume;
    private final FileBytes bytes;
    private final Inode inode;
    private final boolean append;
    private final boolean syncWrites;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** {@code syncWrites}: each write is durable when it returns (use_sync_writes, O_DSYNC). */
    BlockContent(BlockVolume volume, FileBytes bytes, Inode inode, boolean append, boolean syncWrites) {
        this.syncWrites = syncWrites;
        this.volume = volume;
        this.bytes = bytes;
        this.inode = inode;
        this.append = append;
        if (syncWrites) {
            inode.syncs = true;
        }
    }

    private Inode regular() throws PosixException {
        if (!inode.isRegular()) {
            throw new PosixException(inode.isDirectory() ? Errno.EISDIR : Errno.EINVAL, "file I/O", null);
        }
        return inode;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return bytes.read(regular(), dst, offset);
    }

    @Override
    public long id() {
        return inode.id;
    }

    /** A read of the device never stops short of what the file holds: one read is every read. */
    @Override
    public int readOnce(ByteBuffer dst, long offset) throws IOException {
        return read(dst, offset);
    }

    @Override
    public long size() throws IOException {
        return attributes().size;
    }

    @Override
    public int appendAlignment() {
        return Geometry.BLOCK;
    }

    @Override
    public long reclaimUnit() {
        return volume.geometry.unitSize();
    }

    @Override
    public BackingFile duplicate() throws IOException {
        return volume.reopened(inode);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        int n = bytes.write(regular(), src, offset, append);
        if (syncWrites) {
            volume.store.sync();
        }
        return n;
    }

    /** Data is on the device when written; one flush makes it and the journal durable. */
    @Override
    public void sync(boolean dataOnly) throws IOException {
        if (!dataOnly && inode.timesDirty) {
            volume.change(() -> {
                if (inode.timesDirty && volume.state.inode(inode.id) == inode) {
                    volume.store.commit(java.util.List.of(inode.attributes()));
                }
                return null;
            });
        }
        inode.syncs = true;
        volume.store.sync();
    }

    @Override
    public void truncate(long size) throws IOException {
        bytes.truncate(regular(), size);
    }

    @Override
    public Stat attributes() throws IOException {
        synchronized (volume.state) {
            return volume.stat(inode);
        }
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        bytes.allocate(regular(), mode, offset, length);
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return bytes.seek(regular(), offset, data);
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        volume.change(() -> volume.changeMetadata(inode, change));
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return volume.read(() -> volume.getxattr(inode, name, value));
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return volume.read(() -> volume.listxattr(inode, names));
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            volume.released(inode);
        }
    }
}
