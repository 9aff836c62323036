package io.xdevfs.tiers;

import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link Content} that hands every call to another, for decorators that change a few of them. It
 * does not hand on {@link #passThrough}: a decorator exists to see the calls, so its handle
 * is never passed through unless it says so itself.
 */
public abstract class ForwardingContent implements Content {
    protected final Content content;

    protected ForwardingContent(Content content) {
        this.content = content;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return content.read(dst, offset);
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        return content.write(src, offset);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        content.sync(dataOnly);
    }

    @Override
    public void startWriteback() throws IOException {
        content.startWriteback();
    }

    @Override
    public void truncate(long size) throws IOException {
        content.truncate(size);
    }

    @Override
    public Stat attributes() throws IOException {
        return content.attributes();
    }

    @Override
    public long size() throws IOException {
        return content.size();
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        content.allocate(mode, offset, length);
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return content.seek(offset, data);
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        content.changeMetadata(change);
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return content.getxattr(name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return content.listxattr(names);
    }

    @Override
    public void close() throws IOException {
        content.close();
    }
}
