package io.xdevfs.tiers.cache;

import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.ForwardingVolume;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.metrics.Metering;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The read cache ({@code enable_read_cache}) as a decorator over any volume whose backing bytes are
 * the file's bytes: blocks of {@link #BLOCK} bytes in a {@link BlockCache}, keyed by inode and block.
 *
 * <p>Coherence without locks on the data path. Every change of a file's bytes (write, truncate,
 * fallocate, and unlink or rename-over of its last name) counts itself as started, runs, invalidates
 * the blocks it touched and counts itself as finished (striped counters: files sharing a stripe only
 * cost each other misses). A reader that misses publishes its block only if no change was in flight
 * when it began (started == finished) and none has started since; the second check and the put are
 * one atomic step on the block's cache entry ({@link BlockCache#putIf}), which the change's
 * invalidation of that entry waits for. So a block is published only while no change has started
 * since it was read, and any change that starts later removes it when it ends: a read never returns
 * bytes older than the last completed change. (Putting first and taking the block back out if a
 * change had started let other readers find the stale block in between: a regression caught by
 * BlockHammer once in many runs.) With {@code enable_write_cache} a write also publishes the whole
 * blocks it covers, under the same check.
 */
public final class CachingVolume extends ForwardingVolume {
    public static final int BLOCK = 64 * 1024;
    private static final int STRIPES = 1024;

    private final BlockCache cache;
    private final boolean writeCache;
    private final AtomicLongArray started = new AtomicLongArray(STRIPES);
    private final AtomicLongArray finished = new AtomicLongArray(STRIPES);

    public CachingVolume(Volume delegate, CacheSettings settings) {
        this(delegate, new BlockCache(settings.effectiveBytes(), settings.ttlSeconds()), settings.writeCache());
    }

    public CachingVolume(Volume delegate, BlockCache cache, boolean writeCache) {
        super(delegate);
        this.cache = cache;
        this.writeCache = writeCache;
    }

    private static int stripe(long ino) {
        return (int) ((ino * 0x9E3779B97F4A7C15L) >>> 54) & (STRIPES - 1);
    }

    /** Changes of the stripe of {@code ino} started so far. */
    long version(long ino) {
        return started.get(stripe(ino));
    }

    private boolean quiet(long ino, long version) {
        int s = stripe(ino);
        return finished.get(s) == version && started.get(s) == version;
    }

    /** Runs a change of {@code ino}'s bytes, then drops its blocks from {@code firstBlock} to {@code lastBlock}. */
    <T> T change(long ino, long firstBlock, long lastBlock, Metering.Call<T> change) throws IOException {
        begin(ino);
        try {
            return change.run();
        } finally {
            end(ino, firstBlock, lastBlock);
        }
    }

    /** A change of {@code ino}'s bytes starts: readers from now on do not publish. */
    void begin(long ino) {
        started.incrementAndGet(stripe(ino));
    }

    /** The change is done: its blocks go (Long.MAX_VALUE as last: to the end of the file), then readers may publish. */
    void end(long ino, long firstBlock, long lastBlock) {
        if (lastBlock == Long.MAX_VALUE) {
            cache.invalidateFrom(ino, firstBlock);
        } else {
            for (long b = firstBlock; b <= lastBlock; b++) {
                cache.invalidate(ino, b);
            }
        }
        finished.incrementAndGet(stripe(ino));
    }

    private static final ThreadLocal<ByteBuffer> READ = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BLOCK));

    /**
     * The block from the cache, or read from {@code content}; published only when whole (a short block
     * is the end of the file, which a later write may move) and when no change raced with the read.
     */
    public byte[] block(long ino, long index, Content content) throws IOException {
        byte[] cached = cache.peek(ino, index);
        if (cached != null) {
            return cached;
        }
        long before = version(ino);
        boolean publish = quiet(ino, before);
        ByteBuffer buf = READ.get().clear();
        int n = content.read(buf, index * BLOCK);
        byte[] block = new byte[Math.max(0, n)];
        buf.flip().get(block);
        if (n == BLOCK && publish) {
            cache.putIf(ino, index, block, () -> version(ino) == before);
        }
        return block;
    }

    /** With the write cache: publishes a block a write filled whole, unless another change raced with it. */
    void written(long ino, long index, byte[] block, long versionBeforeChange) {
        if (writeCache) {
            cache.putIf(ino, index, block, () -> quiet(ino, versionBeforeChange + 1));
        }
    }

    boolean writeCache() {
        return writeCache;
    }

    // ---- the namespace: changes that can end a file's bytes drop its blocks ----------------------

    /** Drops every block of the file at {@code path} if this removal ends its last name. */
    private void removing(String path, Metering.VoidCall removal) throws IOException {
        Stat st;
        try {
            st = delegate.getattr(path);
        } catch (IOException e) {
            removal.run(); // nothing there (or unreadable): the removal gives the answer
            return;
        }
        if (!st.isRegularFile() || st.nlink > 1) {
            removal.run();
            return;
        }
        change(st.ino, 0, Long.MAX_VALUE, () -> {
            removal.run();
            return null;
        });
    }

    @Override
    public void unlink(String path) throws IOException {
        removing(path, () -> delegate.unlink(path));
    }

    @Override
    public void rename(String from, String to, int flags) throws IOException {
        removing(to, () -> delegate.rename(from, to, flags));
    }

    @Override
    public void truncate(String path, long size) throws IOException {
        long ino = delegate.getattr(path).ino;
        change(ino, size / BLOCK, Long.MAX_VALUE, () -> {
            delegate.truncate(path, size);
            return null;
        });
    }

    @Override
    public Content create(String path, int flags, int mode, Owner owner) throws IOException {
        return wrap(delegate.create(path, flags, mode, owner), flags | io.xdevfs.posix.Flags.O_CREAT);
    }

    @Override
    public Content open(String path, int flags) throws IOException {
        return wrap(delegate.open(path, flags), flags);
    }

    @Override
    public void mknod(String path, int mode, long rdev, Owner owner) throws IOException {
        delegate.mknod(path, mode, rdev, owner);
        forgetReusedInode(path);
    }

    /** A new file may have the inode number of one that died while open: none of its blocks may survive. */
    private void forgetReusedInode(String path) throws IOException {
        Stat st = delegate.getattr(path);
        if (st.isRegularFile()) {
            change(st.ino, 0, Long.MAX_VALUE, () -> null);
        }
    }

    private Content wrap(Content content, int flags) throws IOException {
        try {
            long ino = content.attributes().ino;
            if ((flags & (io.xdevfs.posix.Flags.O_TRUNC | io.xdevfs.posix.Flags.O_CREAT)) != 0) {
                // Truncated by the open, or perhaps new with a reused inode number: nothing cached is valid.
                change(ino, 0, Long.MAX_VALUE, () -> null);
            }
            return new CachingContent(content, this, ino, (flags & io.xdevfs.posix.Flags.O_APPEND) != 0);
        } catch (IOException | RuntimeException e) {
            content.close();
            throw e;
        }
    }

    @Override
    public void registerGauges(Metrics metrics) {
        delegate.registerGauges(metrics);
        cache.registerGauges(metrics);
    }
}
