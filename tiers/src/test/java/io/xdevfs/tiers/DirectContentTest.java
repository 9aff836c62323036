package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** storage_type = direct: unaligned requests through O_DIRECT read back exactly, sizes stay exact. */
class DirectContentTest extends OneVolumePerTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.DIRECT);
    }

    static byte[] read(Content c, long offset, int length) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(length);
        int n = c.read(buf, offset);
        return Arrays.copyOf(buf.array(), n);
    }

    @Test
    void randomUnalignedWritesTruncatesAndReadsMatchAModel() throws Exception {
        Random rnd = new Random(5);
        byte[] model = new byte[0];
        try (Content c = volume.create("/f", Flags.O_RDWR, 0600, null)) {
            for (int i = 0; i < 600; i++) {
                int op = rnd.nextInt(10);
                if (op == 0) {
                    int size = rnd.nextInt(3 << 20);
                    c.truncate(size);
                    model = Arrays.copyOf(model, size);
                } else if (op < 7) {
                    int off = rnd.nextInt(3 << 20);
                    byte[] data = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 9000 : 700_000)];
                    rnd.nextBytes(data);
                    ByteBuffer src = rnd.nextBoolean() ? ByteBuffer.wrap(data)
                            : ByteBuffer.allocateDirect(data.length + 3).position(3).put(data).position(3);
                    assertEquals(data.length, c.write(src, off));
                    if (off + data.length > model.length) {
                        model = Arrays.copyOf(model, off + data.length);
                    }
                    System.arraycopy(data, 0, model, off, data.length);
                } else {
                    int off = rnd.nextInt(model.length + 10);
                    int len = rnd.nextInt(300_000);
                    int expect = Math.max(0, Math.min(len, model.length - off));
                    assertArrayEquals(Arrays.copyOfRange(model, Math.min(off, model.length), Math.min(off, model.length) + expect),
                            read(c, off, len), "read " + off + "+" + len + " at step " + i);
                }
                assertEquals(model.length, c.attributes().size, "size at step " + i);
            }
        }
        assertArrayEquals(model, Files.readAllBytes(tmp.resolve("base/f")));
    }

    @Test
    void appendHandlesAppendAtTheExactEnd() throws Exception {
        try (Content c = volume.create("/log", Flags.O_WRONLY | Flags.O_APPEND, 0600, null)) {
            for (int i = 0; i < 50; i++) {
                c.write(ByteBuffer.wrap(("record " + i + "\n").getBytes()), 0);
            }
        }
        StringBuilder expect = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expect.append("record ").append(i).append('\n');
        }
        assertEquals(expect.toString(), Files.readString(tmp.resolve("base/log")));
    }

    /** Two handles write alternate bytes of the same blocks: a read-modify-write must not undo the other's. */
    @Test
    void concurrentWritesToNeighbouringBytesOfOneBlockAreNotLost() throws Exception {
        int blocks = 8;
        try (Content a = volume.create("/shared", Flags.O_RDWR, 0600, null);
             Content b = volume.open("/shared", Flags.O_RDWR)) {
            a.truncate(blocks * 4096L);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            Future<?>[] done = new Future<?>[2];
            Content[] handles = {a, b};
            for (int t = 0; t < 2; t++) {
                int parity = t;
                done[t] = pool.submit(() -> {
                    go.await();
                    for (long off = parity; off < blocks * 4096L; off += 2) {
                        handles[parity].write(ByteBuffer.wrap(new byte[]{(byte) (parity + 1)}), off);
                    }
                    return null;
                });
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            byte[] all = read(a, 0, blocks * 4096);
            for (int i = 0; i < all.length; i++) {
                assertEquals(i % 2 + 1, all[i], "byte " + i);
            }
        }
    }

    @Test
    void alignedWalAppendsGrowTheFileWithoutPadding() throws Exception {
        byte[] page = new byte[8192];
        new Random(1).nextBytes(page);
        try (Content c = volume.create("/wal", Flags.O_WRONLY, 0600, null)) {
            for (int i = 0; i < 100; i++) {
                c.write(ByteBuffer.wrap(page), i * 8192L);
                c.sync(true);
                assertEquals((i + 1) * 8192L, c.attributes().size);
            }
        }
    }
}
