package io.xdevfs.tiers.format;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A format's content over a backing file whose bytes, holes and metadata are the file's: what the
 * format does not change (attributes, holes, metadata, sync, close) goes to the backing file as it is.
 */
abstract class BackedContent implements Content {
    final BackingFile backing;

    BackedContent(BackingFile backing) {
        this.backing = backing;
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
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return backing.getxattr(name, value);
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return backing.listxattr(names);
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        backing.sync(dataOnly);
    }

    @Override
    public void startWriteback() throws IOException {
        backing.startWriteback();
    }

    @Override
    public void close() throws IOException {
        backing.close();
    }
}
