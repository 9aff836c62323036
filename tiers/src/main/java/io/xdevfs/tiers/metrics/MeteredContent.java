package io.xdevfs.tiers.metrics;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link Content} whose every call is counted and timed; see {@link MeteredVolume}. */
final class MeteredContent implements Content {
    private final Content delegate;
    private final Metering metering;
    private final String path;

    MeteredContent(Content delegate, Metering metering, String path) {
        this.delegate = delegate;
        this.metering = metering;
        this.path = path;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        return metering.bytes(Op.READ, path, () -> delegate.read(dst, offset));
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        return metering.bytes(Op.WRITE, path, () -> delegate.write(src, offset));
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        metering.time(Op.SYNC, path, () -> delegate.sync(dataOnly));
    }

    @Override
    public void startWriteback() throws IOException {
        delegate.startWriteback();
    }

    @Override
    public void truncate(long size) throws IOException {
        metering.time(Op.TRUNCATE, path, () -> delegate.truncate(size));
    }

    @Override
    public Stat attributes() throws IOException {
        return metering.time(Op.GETATTR, path, delegate::attributes);
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return delegate.seek(offset, data);
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        metering.time(change.op(), path, () -> delegate.changeMetadata(change));
    }

    @Override
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return metering.time(Op.XATTR, path, () -> delegate.getxattr(name, value));
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return metering.time(Op.XATTR, path, () -> delegate.listxattr(names));
    }

    @Override
    public boolean mayHaveNoName() {
        return delegate.mayHaveNoName();
    }

    @Override
    public Stat attributesAtOpen() throws IOException {
        return delegate.attributesAtOpen();
    }

    /** What passthrough reads and writes would have counted is missing from the figures, not zero (stats say so). */
    @Override
    public int passThrough(PassthroughRegistrar registrar) throws IOException {
        return delegate.passThrough(registrar);
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        metering.time(Op.FALLOCATE, path, () -> delegate.allocate(mode, offset, length));
    }

    @Override
    public void close() throws IOException {
        metering.time(Op.CLOSE, path, delegate::close);
    }
}
