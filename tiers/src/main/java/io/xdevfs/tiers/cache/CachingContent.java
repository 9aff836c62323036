package io.xdevfs.tiers.cache;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A handle of a {@link CachingVolume}: reads through the block cache, changes through the version protocol. */
final class CachingContent implements Content {
    private final Content delegate;
    private final CachingVolume volume;
    private final long ino;
    private final boolean append;

    CachingContent(Content delegate, CachingVolume volume, long ino, boolean append) {
        this.delegate = delegate;
        this.volume = volume;
        this.ino = ino;
        this.append = append;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            long index = offset / CachingVolume.BLOCK;
            int from = (int) (offset - index * CachingVolume.BLOCK);
            byte[] block = volume.block(ino, index, delegate);
            int n = Math.min(dst.remaining(), block.length - from);
            if (n <= 0) {
                break; // end of file
            }
            dst.put(block, from, n);
            total += n;
            offset += n;
            if (block.length < CachingVolume.BLOCK) {
                break; // a short block ends at the end of the file
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        int length = src.remaining();
        ByteBuffer copy = volume.writeCache() && !append ? src.duplicate() : null;
        long before = volume.version(ino);
        volume.begin(ino);
        long first = append ? 0 : offset / CachingVolume.BLOCK;
        long last = append ? Long.MAX_VALUE : (offset + Math.max(1, length) - 1) / CachingVolume.BLOCK;
        int n = 0;
        try {
            n = delegate.write(src, offset);
            if (append) { // it landed at the end of the file, wherever that was: ask where
                long end = delegate.size();
                first = (end - n) / CachingVolume.BLOCK;
                last = (end - 1) / CachingVolume.BLOCK;
            }
            return n;
        } finally {
            volume.end(ino, first, last);
            if (copy != null && n > 0) { // only the bytes the file took: none of a failed write, a prefix of a short one
                publishWholeBlocks(copy.limit(copy.position() + n), offset, before);
            }
        }
    }

    private void publishWholeBlocks(ByteBuffer written, long offset, long before) {
        long firstWhole = (offset + CachingVolume.BLOCK - 1) / CachingVolume.BLOCK;
        long end = offset + written.remaining();
        for (long b = firstWhole; (b + 1) * CachingVolume.BLOCK <= end; b++) {
            byte[] block = new byte[CachingVolume.BLOCK];
            written.get((int) (b * CachingVolume.BLOCK - offset) + written.position(), block);
            volume.written(ino, b, block, before);
        }
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        delegate.sync(dataOnly);
    }

    @Override
    public void startWriteback() throws IOException {
        delegate.startWriteback();
    }

    @Override
    public void truncate(long size) throws IOException {
        volume.change(ino, size / CachingVolume.BLOCK, Long.MAX_VALUE, () -> {
            delegate.truncate(size);
            return null;
        });
    }

    @Override
    public Stat attributes() throws IOException {
        return delegate.attributes();
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return delegate.seek(offset, data);
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        delegate.changeMetadata(change);
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return delegate.getxattr(name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return delegate.listxattr(names);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        // Growing the size or punching a hole changes what reads return: drop from the range on.
        volume.change(ino, offset / CachingVolume.BLOCK, Long.MAX_VALUE, () -> {
            delegate.allocate(mode, offset, length);
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
