package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.directory.DirectoryVolume;
import io.xdevfs.tiers.directory.OpenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one table of open files: one entry per file, state made once, ended with the last reference; the gate. */
class OpenFilesTest {
    @TempDir
    Path tmp;

    @Test
    void racingOpensMakeTheStateOnceAndTheLastReleaseEndsIt() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<Object> ended = new ArrayList<>();
        OpenFiles table = new OpenFiles(ended::add);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<OpenFiles.Entry>> opens = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                opens.add(pool.submit(() -> {
                    start.await();
                    OpenFiles.Entry e = table.acquire(7);
                    e.stateOr(() -> {
                        made.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // a recovery scan takes a while
                        return "state of 7";
                    });
                    return e;
                }));
            }
            start.countDown();
            List<OpenFiles.Entry> entries = new ArrayList<>();
            for (Future<OpenFiles.Entry> f : opens) {
                entries.add(f.get());
            }
            assertEquals(1, made.get(), "the state is made once");
            assertEquals(1, table.size());
            for (OpenFiles.Entry e : entries) {
                assertSame(entries.get(0), e, "one entry per file");
            }
            for (int i = 0; i < 7; i++) {
                entries.get(i).release();
            }
            assertTrue(ended.isEmpty(), "still open through one handle");
            entries.get(7).release();
            assertEquals(List.of("state of 7"), ended);
            assertEquals(0, table.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void handlesAndHardLinksShareOneEntryUntilTheLastCloses() throws Exception {
        try (Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withStorageType(StorageType.COMPRESSED))) {
            DirectoryVolume dv = (DirectoryVolume) v;
            Content a = v.create("/a", Flags.O_RDWR, 0644, null);
            v.link("/a", "/b");
            Content b = v.open("/b", Flags.O_RDONLY);
            long id = v.getattr("/a").ino;
            OpenFiles.Entry entry = dv.openFile(id);
            assertNotNull(entry);
            assertNotNull(entry.state(), "the compressed file's shared state lives in the entry");
            a.close();
            assertSame(entry, dv.openFile(id));
            b.close();
            dv.awaitBackgroundWork();
            assertNull(dv.openFile(id), "gone with the last handle (and the background work's reference)");
        }
    }

    /** A closed gate holds every call through every handle of the file until it opens again. */
    @Test
    void aClosedGateHoldsCallsUntilItOpens() throws Exception {
        try (Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))
                .withStorageType(StorageType.COMPRESSED));
             Content c = v.create("/f", Flags.O_RDWR, 0644, null)) {
            OpenFiles.Entry entry = ((DirectoryVolume) v).openFile(v.getattr("/f").ino);
            Lock closed = entry.gate.writeLock();
            closed.lock();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> write = pool.submit(() -> c.write(ByteBuffer.allocateDirect(10), 0));
                Thread.sleep(300);
                assertFalse(write.isDone(), "the write waits at the gate");
                closed.unlock();
                assertEquals(10, write.get(10, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            assertEquals(10, c.attributes().size);
        }
    }
}
