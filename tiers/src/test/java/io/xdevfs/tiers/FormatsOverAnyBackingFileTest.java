package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.compressed.CompressedFormat;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.OpenFiles;
import io.xdevfs.tiers.format.DirectFormat;
import io.xdevfs.tiers.format.SparseFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every content format over a backing file that is no file at all ({@link MemoryBackingFile}): random
 * writes, truncates and reads against a model, then a fresh handle over the same bytes (for the
 * compressed format, a rebuild from its log) reads the same.
 */
class FormatsOverAnyBackingFileTest {
    enum Format {
        RAW, SPARSE, DIRECT, COMPRESSED;

        ContentFormat make() {
            return switch (this) {
                case RAW -> ContentFormat.RAW;
                case SPARSE -> new SparseFormat(4096);
                case DIRECT -> new DirectFormat(Posix.get(), 4096);
                case COMPRESSED -> {
                    CompressionSettings d = LocalConfig.defaultCompression();
                    yield new CompressedFormat(new CompressionSettings(d.codec(), d.level(), 512, d.adaptive(), 16 * 1024),
                            CacheSettings.defaultsFor(StorageType.COMPRESSED));
                }
            };
        }
    }

    private static byte[] read(Content c, long offset, int length) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(length);
        int n = c.read(buf, offset);
        byte[] out = new byte[n];
        buf.flip().get(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aFormatNeedsOnlyABackingFile(Format which) throws Exception {
        ContentFormat format = which.make();
        OpenFiles table = new OpenFiles(format::closeState);
        MemoryBackingFile memory = new MemoryBackingFile(42);
        OpenFiles.Entry entry = table.acquire(42);
        Random rnd = new Random(which.ordinal());
        byte[] model = new byte[0];
        try (Content c = format.wrap(memory.duplicate(), entry, Flags.O_RDWR)) {
            for (int step = 0; step < 300; step++) {
                int op = rnd.nextInt(10);
                if (op < 6) {
                    int off = rnd.nextInt(model.length + 30_000);
                    byte[] data = new byte[1 + rnd.nextInt(40_000)];
                    if (rnd.nextBoolean()) {
                        rnd.nextBytes(data);
                    }
                    c.write(ByteBuffer.allocateDirect(data.length).put(data).flip(), off);
                    model = Arrays.copyOf(model, Math.max(model.length, off + data.length));
                    System.arraycopy(data, 0, model, off, data.length);
                } else if (op < 7) {
                    model = Arrays.copyOf(model, rnd.nextInt(model.length + 10_000));
                    c.truncate(model.length);
                } else if (op < 8) {
                    c.sync(true);
                } else {
                    int off = rnd.nextInt(model.length + 1);
                    int len = rnd.nextInt(50_000);
                    assertArrayEquals(Arrays.copyOfRange(model, off, Math.min(model.length, off + len)), read(c, off, len),
                            which + " step " + step);
                    assertEquals(model.length, c.attributes().size);
                    assertEquals(42, c.attributes().ino, "the backing file's id is the file's");
                }
            }
            c.sync(false);
        }
        format.drain();
        entry.release();
        assertEquals(0, table.size(), "the last reference ends the file's entry");
        ContentFormat again = which.make();
        OpenFiles.Entry reopened = new OpenFiles(again::closeState).acquire(42);
        try (Content c = again.wrap(memory.duplicate(), reopened, Flags.O_RDONLY)) {
            assertEquals(model.length, c.attributes().size);
            assertArrayEquals(model, read(c, 0, model.length));
        } finally {
            format.close();
            again.close();
        }
    }
}
