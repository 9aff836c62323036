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

    /** Stops the copy's first write of a file's bytes until released: the copy is past its walk then. */
    private static final class HeldWrite extends io.xdevfs.posix.ForwardingPosix {
        final CountDownLatch inWrite = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldWrite() {
            super(Posix.get());
        }

        @Override
        protected void before(String call) {
            if (call.equals("pwrite")) {
                inWrite.countDown();
                awaitUninterruptibly(release);
            }
        }
    }

    /**
     * Names wait for the copy's walk only, not for the bytes, owners and attributes it then writes to
     * disk: a create, rename or unlink had waited for all of it (0.6 s for 9,000 new small files). The copy
     * holds the names its walk found.
     */
    @Test
    void underALogNamesWaitOnlyForTheWalk() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        HeldWrite posix = new HeldWrite();
        TmpfsBackup backup = new TmpfsBackup(posix, base, tmp.resolve("backups"), gated, m -> { }, e -> { });
        backup.checkpointing(new TmpfsBackup.Checkpointed() {
            @Override
            public Cut cut() {
                return new Cut(1, null);
            }

            @Override
            public void checkpointed(long firstNeeded) {
            }

            @Override
            public void notCheckpointed() {
            }
        });
        try (Content f = gated.create("/wal", Flags.O_RDWR, 0644, null)) {
            f.write(ByteBuffer.wrap("synced".getBytes()), 0);
        }
        Future<?> copy = pool.submit(() -> backup.snapshot());
        posix.inWrite.await();
        Future<?> names = pool.submit(() -> {
            gated.create("/next", Flags.O_RDWR, 0644, null).close();
            gated.rename("/wal", "/renamed", 0);
            gated.unlink("/next");
            return null;
        });
        try {
            names.get(10, TimeUnit.SECONDS); // while the copy writes the bytes
        } finally {
            posix.release.countDown();
        }
        copy.get(10, TimeUnit.SECONDS);
        Path tree = tmp.resolve("backups/current/tree");
        assertEquals("synced", Files.readString(tree.resolve("wal")), "the copy has the names its walk found");
        assertEquals(false, Files.exists(tree.resolve("renamed")));
        assertEquals(false, Files.exists(tree.resolve("next")));
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
