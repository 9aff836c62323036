package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.MetadataChange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

/**
 * One handle as the volume gives it out. For the length of each call into its content format it
 * holds the file's gate shared ({@link OpenFiles.Entry#gate}: work that needs the file quiet closes
 * it) and the backing descriptor open, so that {@link DescriptorCache} never closes it mid-call and
 * the format may use {@link DescriptorFile#fd()} freely within the call. At close it gives up its
 * reference to the file's entry. The data path spells out enter/exit: a shared helper taking a
 * lambda would allocate on every read and write; the rare calls share {@link #held}.
 */
final class HeldContent implements Content {
    private final Content content;
    private final DescriptorCache cache;
    private final DescriptorCache.Descriptor descriptor;
    private final OpenFiles.Entry open;
    private final Lock gate;
    private final AtomicBoolean closed = new AtomicBoolean();

    HeldContent(Content content, DescriptorCache cache, DescriptorCache.Descriptor descriptor, OpenFiles.Entry open) {
        this.content = content;
        this.cache = cache;
        this.descriptor = descriptor;
        this.open = open;
        this.gate = open.gate.readLock();
    }

    private void enter() throws IOException {
        gate.lock();
        try {
            cache.acquire(descriptor);
        } catch (IOException | RuntimeException e) {
            gate.unlock();
            throw e;
        }
    }

    private void exit() {
        cache.release(descriptor);
        gate.unlock();
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
        enter();
        try {
            return content.read(dst, offset);
        } finally {
            exit();
        }
    }

    @Override
    public int write(ByteBuffer src, long offset) throws IOException {
        enter();
        try {
            return content.write(src, offset);
        } finally {
            exit();
        }
    }

    @Override
    public void sync(boolean dataOnly) throws IOException {
        enter();
        try {
            content.sync(dataOnly);
        } finally {
            exit();
        }
    }

    @Override
    public void startWriteback() throws IOException {
        held(() -> {
            content.startWriteback();
            return null;
        });
    }

    @Override
    public void truncate(long size) throws IOException {
        enter();
        try {
            content.truncate(size);
        } finally {
            exit();
        }
    }

    @Override
    public Stat attributes() throws IOException {
        enter();
        try {
            return content.attributes();
        } finally {
            exit();
        }
    }

    @Override
    public long size() throws IOException {
        enter();
        try {
            return content.size();
        } finally {
            exit();
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T held(Call<T> call) throws IOException {
        enter();
        try {
            return call.run();
        } finally {
            exit();
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
    public int getxattr(String name, ByteBuffer value) throws IOException {
        return held(() -> content.getxattr(name, value));
    }

    @Override
    public int listxattr(ByteBuffer names) throws IOException {
        return held(() -> content.listxattr(names));
    }

    @Override
    public long seek(long offset, boolean data) throws IOException {
        return held(() -> content.seek(offset, data));
    }

    /** A name of it was removed while it was open (the descriptor cache pinned it then). */
    @Override
    public boolean mayHaveNoName() {
        return cache.lostAName(descriptor);
    }

    @Override
    public Stat attributesAtOpen() throws IOException {
        return held(content::attributesAtOpen);
    }

    @Override
    public int passThrough(PassthroughRegistrar registrar) throws IOException {
        return held(() -> content.passThrough(registrar));
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
     * shares with other handles, and the reopen's error is what the caller sees. The file's entry is
     * given up last, whatever failed.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeContent();
        } finally {
            open.release();
        }
    }

    private void closeContent() throws IOException {
        try {
            enter();
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
            exit();
        }
    }
}
