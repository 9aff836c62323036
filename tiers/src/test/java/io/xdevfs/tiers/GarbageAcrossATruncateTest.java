package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.compressed.CompressedFormat;
import io.xdevfs.tiers.directory.OpenFiles;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compressed file's sync takes the superseded records to punch, syncs the log, then punches them.
 * If another handle truncates the file to zero in between (the log is cut to its header) and writes,
 * the new records sit where the old garbage was: the punch must leave them alone.
 */
class GarbageAcrossATruncateTest {
    private static final int SIZE = 3 << 20;

    private static byte[] random(long seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b); // incompressible: stored as they are, so the log is large
        return b;
    }

    private static void write(Content c, byte[] data) throws Exception {
        for (int off = 0; off < data.length; off += 128 << 10) {
            c.write(ByteBuffer.wrap(data, off, Math.min(128 << 10, data.length - off)), off);
        }
    }

    @Test
    void aSyncDoesNotPunchRecordsWrittenAfterATruncateToZero() throws Exception {
        CompressionSettings d = LocalConfig.defaultCompression();
        CompressedFormat format = new CompressedFormat(
                new CompressionSettings(d.codec(), d.level(), d.threshold(), d.adaptive(), 64 << 10),
                CacheSettings.defaultsFor(StorageType.COMPRESSED));
        OpenFiles table = new OpenFiles(format::closeState);
        MemoryBackingFile memory = new MemoryBackingFile(7);
        try (Content syncer = format.wrap(memory.duplicate(), table.acquire(7), Flags.O_RDWR);
             Content other = format.wrap(memory.duplicate(), table.acquire(7), Flags.O_RDWR)) {
            write(syncer, random(1));
            write(syncer, random(2)); // every record of the first pass is garbage now: 3 MiB of it
            CountDownLatch inSync = new CountDownLatch(1);
            CountDownLatch goOn = new CountDownLatch(1);
            memory.onSync(() -> {
                inSync.countDown();
                try {
                    goOn.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<Void> sync = CompletableFuture.runAsync(() -> {
                try {
                    syncer.sync(true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(inSync.await(10, TimeUnit.SECONDS), "the sync reached the log");
            memory.onSync(() -> { });
            other.truncate(0);
            byte[] now = random(3);
            write(other, now);
            goOn.countDown();
            sync.get(10, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(SIZE);
            while (back.hasRemaining() && other.read(back, back.position()) > 0) {
                // more
            }
            assertArrayEquals(now, back.array(), "what was written after the truncate");
        }
        format.close();
    }
}
