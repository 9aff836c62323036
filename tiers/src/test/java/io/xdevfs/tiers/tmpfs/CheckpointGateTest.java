package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Volumes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What a checkpoint holds still. Under an intent log a copy holds only the names still: writes,
 * truncations, attribute changes and syncs go on while it copies (a WAL writer on a memory tier had
 * waited for every checkpoint's whole copy, up to a quarter of a second per 256 MiB file here), and a
 * create, rename or unlink waits for it. Without a log the copy must be one moment of the tree, and
 * every change waits.
 */
class CheckpointGateTest {
    @TempDir
    Path tmp;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A log whose cut stops until released: the copy is under way from the cut until its end. */
    private static final class HeldCut implements TmpfsBackup.Checkpointed {
        final CountDownLatch inCut = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Cut cut() {
            inCut.countDown();
            awaitUninterruptibly(release);
            return new Cut(1, null);
        }

        @Override
        public void checkpointed(long firstNeeded) {
        }

        @Override
        public void notCheckpointed() {
        }
    }

    @Test
    void underALogACopyHoldsNamesStillAndLetsBytesChange() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, tmp.resolve("backups"), gated, m -> { }, e -> { });
        HeldCut log = new HeldCut();
        backup.checkpointing(log);
        try (Content f = gated.create("/wal", Flags.O_RDWR, 0644, null)) {
            Future<?> copy = pool.submit(() -> backup.snapshot());
            log.inCut.await();
            Future<?> bytes = pool.submit(() -> {
                f.write(ByteBuffer.wrap("appended".getBytes()), 0);
                f.sync(true);
                f.truncate(4);
                gated.chmod("/wal", 0600);
                gated.truncate("/wal", 3);
                return null;
            });
            bytes.get(10, TimeUnit.SECONDS); // before the copy ends
            Future<?> names = pool.submit(() -> {
                gated.create("/next", Flags.O_RDWR, 0644, null).close();
                gated.rename("/next", "/renamed", 0);
                return null;
            });
            assertThrows(TimeoutException.class, () -> names.get(300, TimeUnit.MILLISECONDS), "a create during the copy");
            log.release.countDown();
            copy.get(10, TimeUnit.SECONDS);
            names.get(10, TimeUnit.SECONDS);
        }
        assertEquals("app", Files.readString(base.resolve("wal")));
        assertEquals(true, Files.exists(base.resolve("renamed")));
    }

    @Test
    void withoutALogACopyHoldsBytesStillToo() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        try (Content f = gated.create("/wal", Flags.O_RDWR, 0644, null)) {
            CountDownLatch inCopy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> copy = pool.submit(() -> gated.gate().quiesced(() -> {
                inCopy.countDown();
                awaitUninterruptibly(release);
                return null;
            }));
            inCopy.await();
            Future<?> write = pool.submit(() -> f.write(ByteBuffer.wrap("x".getBytes()), 0));
            assertThrows(TimeoutException.class, () -> write.get(300, TimeUnit.MILLISECONDS), "a write during the copy");
            release.countDown();
            copy.get(10, TimeUnit.SECONDS);
            assertEquals(1, write.get(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
