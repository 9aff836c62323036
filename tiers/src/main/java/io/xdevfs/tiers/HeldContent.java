package io.xdevfs.tiers;

import io.xdevfs.posix.Stat;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Holds a file's backing descriptor open for the length of each call into its content format, so
 * that {@link DescriptorCache} never closes it mid-call and the format may use {@link DescriptorFile#fd()}
 * freely within the call. The data path spells out acquire/release: a shared helper taking a lambda
 * would allocate on every read and write; the rare calls share {@link #held}.
 */
final class HeldContent implements Content {
    private final Content content;
    private final DescriptorCache cache;
    private final DescriptorCache.Descriptor descriptor;

    HeldContent(Content content, DescriptorCache cache, DescriptorCache.Descriptor descriptor) {
        this.content = content;
        this.cache = cache;
        this.descriptor = descriptor;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        cache.acquire(descriptor);
        try {
            return content.read(dst, offset);
        } finally {
            cache.release(descriptor);
        }
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        cache.acquire(descriptor);
        try {
            return content.write(src, offset);
        } finally {
            cache.release(descriptor);
        }
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        cache.acquire(descriptor);
        try {
            content.sync(dataOnly);
        } finally {
            cache.release(descriptor);
        }
    }

    @Override
    public void truncate(long size) throws IOException {
        cache.acquire(descriptor);
        try {
            content.truncate(size);
        } finally {
            cache.release(descriptor);
        }
    }

    @Override
    public Stat attributes() throws IOException {
        cache.acquire(descriptor);
        try {
            return content.attributes();
        } finally {
            cache.release(descriptor);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T held(Call<T> call) throws IOException {
        cache.acquire(descriptor);
        try {
            return call.run();
        } finally {
            cache.release(descriptor);
        }
    }

    @Override
    public void changeMetadata(MetadataChange change) throws IOException {
        held(() -> {
            content.changeMetadata(change);
            return null;
        });
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return held(() -> content.seek(offset, data));
    }

    @Override
    public void allocate(int mode, long offset, long length) throws IOException {
        held(() -> {
            content.allocate(mode, offset, length);
            return null;
        });
    }

    /**
     * A parked descriptor is reopened first: formats may need it to finish (compressed files cut their
     * tail). If it cannot be (the file vanished behind the mount), the format still releases what it
     * shares with other handles, and the reopen's error is what the caller sees.
     */
    @Override
    public void close() throws IOException {
        try {
            cache.acquire(descriptor);
        } catch (IOException e) {
            try {
                content.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            cache.close(descriptor);
            throw e;
        }
        try {
            content.close();
        } finally {
            cache.release(descriptor);
        }
    }
}
