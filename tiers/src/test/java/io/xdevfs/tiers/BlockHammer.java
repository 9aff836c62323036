package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two writers and two readers on one file through separate handles. Each writer owns half of the
 * blocks and fills a block with (version, block) words; a reader notes the newest version completed
 * for a block before it reads, and no word it reads may be older (nor belong to another block).
 * Buffered reads may see an in-flight write half done, so words are checked, not whole blocks.
 */
final class BlockHammer {

    static void run(Volume v, String path, int blocks, int blockSize, int iterations) throws Exception {
        AtomicLongArray done = new AtomicLongArray(blocks);
        try (Content init = v.create(path, Flags.O_RDWR, 0644, null)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(blocks * blockSize);
            init.write(zeros, 0);
        }
        AtomicLong versions = new AtomicLong();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean writer = t < 2;
            int seed = t;
            threads.add(new Thread(() -> {
                Random rnd = new Random(seed);
                ByteBuffer buf = ByteBuffer.allocateDirect(blockSize);
                try (Content c = v.open(path, writer ? Flags.O_RDWR : Flags.O_RDONLY)) {
                    for (int i = 0; i < iterations; i++) {
                        buf.clear();
                        if (writer) {
                            int blk = rnd.nextInt(blocks / 2) * 2 + seed;
                            long ver = versions.incrementAndGet();
                            while (buf.hasRemaining()) {
                                buf.putLong(ver * 1000 + blk);
                            }
                            c.write(buf.flip(), (long) blk * blockSize);
                            done.accumulateAndGet(blk, ver, Math::max);
                        } else {
                            int blk = rnd.nextInt(blocks);
                            long min = done.get(blk);
                            c.read(buf, (long) blk * blockSize);
                            for (int p = 0; p < blockSize; p += 8) {
                                long word = buf.getLong(p);
                                if (word != 0 && (word % 1000 != blk || word / 1000 < min)) {
                                    throw new AssertionError("block " + blk + " read version " + word / 1000
                                            + " after version " + min + " completed");
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
    }

    private BlockHammer() {
    }
}
