package io.xdevfs.tiers.format;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;
import io.xdevfs.tiers.directory.BackingFile;

import java.io.IOException;

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
