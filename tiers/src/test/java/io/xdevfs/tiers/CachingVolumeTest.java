package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.cache.BlockCache;
import io.xdevfs.tiers.cache.CachingVolume;
import io.xdevfs.tiers.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static io.xdevfs.tiers.CompressedContentTest.read;
import static io.xdevfs.tiers.CompressedContentTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read cache over a regular volume: every read matches a model, under any mix of changes. */
class CachingVolumeTest {
    @TempDir
    Path tmp;
    private Volume volume;

    private Volume open(boolean writeCache, long bytes) throws Exception {
        volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withCache(new CacheSettings(true, writeCache, bytes, 0)));
        assertTrue(volume instanceof CachingVolume);
        return volume;
    }

    @AfterEach
    void close() throws Exception {
        volume.close();
    }

    @ParameterizedTest(name = "write cache {0}")
    @ValueSource(booleans = {false, true})
    void randomChangesNeverServeStaleBlocks(boolean writeCache) throws Exception {
        Volume v = open(writeCache, 2 << 20);
        Random rnd = new Random(writeCache ? 7 : 8);
        CompressedContentTest.Model m = new CompressedContentTest.Model();
        Content c = v.create("/f", Flags.O_RDWR, 0644, null);
        Content appender = v.open("/f", Flags.O_WRONLY | Flags.O_APPEND);
        for (int op = 0; op < 3000; op++) {
            int kind = rnd.nextInt(100);
            if (kind < 35) {
                long off = rnd.nextInt(600_000);
                byte[] b = CompressedContentTest.data(rnd, 1 + rnd.nextInt(rnd.nextBoolean() ? 200_000 : 5000));
                write(c, b, off);
                m.write(b, off);
            } else if (kind < 42) {
                byte[] b = CompressedContentTest.data(rnd, 1 + rnd.nextInt(3000));
                write(appender, b, 0);
                m.write(b, m.bytes.length);
            } else if (kind < 47) {
                long size = rnd.nextInt(m.bytes.length + 100_000);
                if (rnd.nextBoolean()) {
                    c.truncate(size);
                } else {
                    v.truncate("/f", size);
                }
                m.truncate(size);
            } else if (kind < 49) {
                // The file dies and a new one (perhaps with the same inode number) takes its name.
                c.close();
                appender.close();
                if (rnd.nextBoolean()) {
                    v.unlink("/f");
                    c = v.create("/f", Flags.O_RDWR, 0644, null);
                } else {
                    try (Content other = v.create("/g", Flags.O_RDWR, 0644, null)) {
                        write(other, new byte[] {9}, 0);
                    }
                    v.rename("/g", "/f", 0);
                    c = v.open("/f", Flags.O_RDWR);
                }
                m.bytes = v.getattr("/f").size == 1 ? new byte[] {9} : new byte[0];
                appender = v.open("/f", Flags.O_WRONLY | Flags.O_APPEND);
            } else if (kind < 51) {
                c.close();
                appender.close();
                c = v.open("/f", Flags.O_RDWR | Flags.O_TRUNC);
                m.truncate(0);
                appender = v.open("/f", Flags.O_WRONLY | Flags.O_APPEND);
            } else {
                long off = rnd.nextInt(m.bytes.length + 100);
                int n = rnd.nextInt(300_000);
                byte[] want = Arrays.copyOfRange(m.bytes, (int) Math.min(off, m.bytes.length),
                        (int) Math.min(off + n, m.bytes.length));
                assertArrayEquals(want, read(c, off, n), "op " + op + ": read " + off + "+" + n);
            }
        }
        c.close();
        appender.close();
    }

    @Test
    void concurrentReadersNeverSeeABlockOlderThanItsLastCompletedWrite() throws Exception {
        BlockHammer.run(open(true, 1 << 20), "/h", 256, 4096, 5000);
    }

    /** The cache starts throwing half-way: reads go on returning exactly what was written. */
    @Test
    void aFailingCacheNeverChangesWhatIsRead() throws Exception {
        @SuppressWarnings("unchecked")
        com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]> real =
                (com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]>) (Object)
                        com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(1000).build();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        @SuppressWarnings("unchecked")
        com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]> failing =
                (com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]>) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {com.github.benmanes.caffeine.cache.Cache.class},
                        (proxy, method, args) -> {
                            if (calls.incrementAndGet() > 300 && !method.getName().equals("invalidateAll")) {
                                throw new IllegalStateException("injected cache fault");
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        volume = new CachingVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))),
                new BlockCache(failing), true);
        Random rnd = new Random(3);
        CompressedContentTest.Model m = new CompressedContentTest.Model();
        try (Content c = volume.create("/f", Flags.O_RDWR, 0644, null)) {
            for (int op = 0; op < 1500; op++) {
                if (rnd.nextInt(3) == 0) {
                    long off = rnd.nextInt(1 << 20);
                    byte[] b = CompressedContentTest.data(rnd, 1 + rnd.nextInt(200_000));
                    write(c, b, off);
                    m.write(b, off);
                } else {
                    long off = rnd.nextInt(m.bytes.length + 1);
                    int n = rnd.nextInt(200_000);
                    byte[] want = Arrays.copyOfRange(m.bytes, (int) off, (int) Math.min(off + n, m.bytes.length));
                    assertArrayEquals(want, read(c, off, n), "op " + op);
                }
            }
        }
        assertTrue(calls.get() > 300, "the fault was injected");
    }

    /**
     * With the write cache, a write publishes the whole blocks it wrote. A write that failed published
     * them too (ENOSPC from the disk: the cache then served bytes the file never had), and a short one
     * all of them; now only the blocks of the prefix the file took.
     */
    @Test
    void onlyTheBytesAWriteStoredArePublished() throws Exception {
        FaultyPosix posix = new FaultyPosix();
        volume = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withCache(new CacheSettings(true, true, 8 << 20, 0)), posix);
        byte[] old = CompressedContentTest.text(new Random(2), 64 << 10);
        byte[] next = CompressedContentTest.text(new Random(3), 64 << 10);
        try (Content c = volume.create("/w", Flags.O_RDWR, 0644, null)) {
            write(c, old, 0);
            posix.fail("pwrite", io.xdevfs.posix.Errno.ENOSPC);
            assertThrows(io.xdevfs.posix.PosixException.class, () -> write(c, next, 0));
            assertArrayEquals(old, read(c, 0, old.length), "a failed write publishes nothing");
            posix.tearNextWrite(io.xdevfs.posix.Errno.ENOSPC);
            int stored = c.write(java.nio.ByteBuffer.wrap(next), 0);
            assertEquals(next.length / 2, stored);
            byte[] expected = old.clone();
            System.arraycopy(next, 0, expected, 0, stored);
            assertArrayEquals(expected, read(c, 0, old.length), "a short write publishes its prefix only");
            posix.clearFaults();
        }
    }

    @Test
    void aSecondReadIsServedFromTheCache() throws Exception {
        Volume v = open(false, 8 << 20);
        Metrics m = new Metrics(System::nanoTime);
        v.registerGauges(m);
        byte[] data = CompressedContentTest.text(new Random(1), 1 << 20);
        try (Content c = v.create("/r", Flags.O_RDWR, 0644, null)) {
            write(c, data, 0);
            assertArrayEquals(data, read(c, 0, data.length));
            long misses = m.gauges().get("cache_misses").longValue();
            assertArrayEquals(data, read(c, 0, data.length));
            assertEquals(misses, m.gauges().get("cache_misses").longValue(), "no new misses");
            assertTrue(m.gauges().get("cache_hits").longValue() >= 16, "16 blocks hit");
        }
    }

    /**
     * Regression (BlockHammer, once in many runs): a reader that read a block just before a change put
     * it into the cache and only then saw the change and took it out, so another reader could find the
     * stale block in between. Here a change runs inside the first reader's disk read, and a second
     * reader looks into the cache the moment anything is put: it must see the change's bytes.
     */
    @Test
    void aBlockReadBeforeAChangeIsNeverPublishedEvenForAMoment() throws Exception {
        com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]> real =
                com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(1000).build();
        Runnable[] onPut = {() -> { }};
        @SuppressWarnings("unchecked")
        com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]> watched =
                (com.github.benmanes.caffeine.cache.Cache<BlockCache.Key, byte[]>) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {com.github.benmanes.caffeine.cache.Cache.class},
                        (proxy, method, args) -> {
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            } finally {
                                if (method.getName().equals("put") || method.getName().equals("asMap")) {
                                    onPut[0].run();
                                }
                            }
                        });
        CachingVolume cv = new CachingVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))),
                new BlockCache(watched), false);
        volume = cv;
        byte[] a = new byte[CachingVolume.BLOCK];
        Arrays.fill(a, (byte) 'a');
        byte[] b = new byte[CachingVolume.BLOCK];
        Arrays.fill(b, (byte) 'b');
        try (Content writer = cv.create("/f", Flags.O_RDWR, 0644, null); Content reader = cv.open("/f", Flags.O_RDONLY);
                Content disk = cv.delegate.open("/f", Flags.O_RDONLY)) {
            write(writer, a, 0);
            long ino = writer.attributes().ino;
            Content slowDisk = new ForwardingContentForTest(disk) {
                @Override
                public int read(java.nio.ByteBuffer dst, long offset) throws java.io.IOException {
                    int n = super.read(dst, offset); // the old bytes...
                    writer.write(java.nio.ByteBuffer.wrap(b), 0); // ...and a whole change completes meanwhile
                    return n;
                }
            };
            String[] seen = {null};
            onPut[0] = () -> {
                onPut[0] = () -> { };
                try {
                    seen[0] = new String(read(reader, 0, 1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            cv.block(ino, 0, slowDisk);
            onPut[0] = () -> { };
            assertEquals("b", seen[0], "a reader during the publication saw stale bytes");
            assertArrayEquals(b, read(reader, 0, b.length), "and after it");
        }
    }

    /** A Content that passes every call on, for tests that change one. */
    private static class ForwardingContentForTest implements Content {
        private final Content d;

        ForwardingContentForTest(Content d) {
            this.d = d;
        }

        @Override
        public int read(java.nio.ByteBuffer dst, long offset) throws java.io.IOException {
            return d.read(dst, offset);
        }

        @Override
        public int write(java.nio.ByteBuffer src, long offset) throws java.io.IOException {
            return d.write(src, offset);
        }

        @Override
        public void sync(boolean dataOnly) throws java.io.IOException {
            d.sync(dataOnly);
        }

        @Override
        public void truncate(long size) throws java.io.IOException {
            d.truncate(size);
        }

        @Override
        public io.xdevfs.posix.Stat attributes() throws java.io.IOException {
            return d.attributes();
        }

        @Override
        public void allocate(int mode, long offset, long length) throws java.io.IOException {
            d.allocate(mode, offset, length);
        }

        @Override
        public void close() throws java.io.IOException {
            d.close();
        }
    }
}
