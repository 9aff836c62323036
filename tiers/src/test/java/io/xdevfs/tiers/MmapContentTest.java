package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage_type = mmap: windows, growth across windows, truncation, and no SIGBUS when a file shrinks. */
class MmapContentTest extends OneVolumePerTest {
    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.MMAP).withIo(new IoSettings(0, 1 << 20));
    }

    @Test
    void writesAcrossWindowsTruncatesAndTwoHandlesMatchAModel() throws Exception {
        Random rnd = new Random(9);
        byte[] model = new byte[0];
        try (Content a = volume.create("/f", Flags.O_RDWR, 0600, null); Content b = volume.open("/f", Flags.O_RDWR)) {
            for (int i = 0; i < 500; i++) {
                Content c = rnd.nextBoolean() ? a : b;
                int op = rnd.nextInt(10);
                if (op == 0) {
                    int size = rnd.nextInt(5 << 20);
                    c.truncate(size);
                    model = Arrays.copyOf(model, size);
                } else if (op < 6) {
                    int off = rnd.nextInt(5 << 20);
                    byte[] data = new byte[1 + rnd.nextInt(300_000)];
                    rnd.nextBytes(data);
                    c.write(ByteBuffer.wrap(data), off);
                    if (off + data.length > model.length) {
                        model = Arrays.copyOf(model, off + data.length);
                    }
                    System.arraycopy(data, 0, model, off, data.length);
                } else {
                    int off = rnd.nextInt(model.length + 10);
                    int len = rnd.nextInt(2_500_000);
                    int from = Math.min(off, model.length);
                    int expect = Math.max(0, Math.min(len, model.length - off));
                    assertArrayEquals(Arrays.copyOfRange(model, from, from + expect),
                            DirectContentTest.read(c, off, len), "step " + i);
                }
                assertEquals(model.length, c.attributes().size, "size at step " + i);
            }
            a.sync(true);
        }
        assertArrayEquals(model, Files.readAllBytes(tmp.resolve("base/f")));
    }

    @Test
    void writesUpdateModificationTimeEveryTime() throws Exception {
        try (Content c = volume.create("/t", Flags.O_RDWR, 0600, null)) {
            c.write(ByteBuffer.wrap(new byte[100]), 0);
            volume.utimens("/t", 0, Flags.UTIME_OMIT, 1000, 0);
            c.write(ByteBuffer.wrap(new byte[]{1}), 5); // the page is already dirty: no fault
            assertTrue(c.attributes().mtimeSec > 1000);
        }
    }

    @Test
    void openWithTruncateEmptiesAFileOthersHaveOpen() throws Exception {
        try (Content a = volume.create("/tr", Flags.O_RDWR, 0600, null)) {
            a.write(ByteBuffer.wrap(new byte[3 << 20]), 0);
            try (Content b = volume.open("/tr", Flags.O_WRONLY | Flags.O_TRUNC)) {
                assertEquals(0, b.attributes().size);
            }
            assertEquals(0, DirectContentTest.read(a, 0, 4096).length);
        }
    }

    /** Readers race a handle that shrinks and regrows the file: every read is a valid prefix, never a fault. */
    @Test
    void readersRacingTruncationNeverFault() throws Exception {
        byte[] pattern = new byte[3 << 20];
        new Random(4).nextBytes(pattern);
        try (Content writer = volume.create("/race", Flags.O_RDWR, 0600, null);
             Content reader = volume.open("/race", Flags.O_RDONLY)) {
            writer.write(ByteBuffer.wrap(pattern), 0);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread[] readers = new Thread[2];
            for (int t = 0; t < readers.length; t++) {
                readers[t] = new Thread(() -> {
                    Random rnd = new Random();
                    try {
                        while (!stop.get()) {
                            int off = rnd.nextInt(pattern.length);
                            byte[] got = DirectContentTest.read(reader, off, 200_000);
                            for (int i = 0; i < got.length; i++) {
                                if (got[i] != pattern[off + i] && got[i] != 0) {
                                    throw new AssertionError("byte " + (off + i) + " is neither the data nor a hole");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                readers[t].start();
            }
            Random rnd = new Random(8);
            for (int i = 0; i < 300; i++) {
                writer.truncate(rnd.nextInt(pattern.length));
                int from = (int) writer.attributes().size;
                writer.write(ByteBuffer.wrap(pattern, from, pattern.length - from), from);
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertEquals(null, failure.get());
        }
    }

    /** The daemon must survive a backing file cut by another program: EIO, not SIGBUS. */
    @Test
    void aBackingFileCutOutsideXdevfsGivesEioInsteadOfACrash() throws Exception {
        try (Content c = volume.create("/cut", Flags.O_RDWR, 0600, null)) {
            c.write(ByteBuffer.wrap(new byte[2 << 20]), 0);
            try (RandomAccessFile raf = new RandomAccessFile(tmp.resolve("base/cut").toFile(), "rw")) {
                raf.setLength(0);
            }
            // Interpreted code gets the fault synchronously (EIO from the read); compiled code a moment later,
            // as an InternalError that the FUSE layer answers with EIO. Either way the JVM lives on.
            Throwable fault = assertThrows(Throwable.class, () -> {
                for (int i = 0; i < 100; i++) {
                    DirectContentTest.read(c, 1 << 20, 4096);
                }
            });
            assertTrue(fault instanceof InternalError
                    || fault instanceof PosixException p && p.errno() == Errno.EIO, fault.toString());
            c.truncate(0); // xdevfs learns the size again and the handle works
            c.write(ByteBuffer.wrap(new byte[]{7}), 10);
            assertArrayEquals(new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, DirectContentTest.read(c, 0, 100));
        }
    }
}
