package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.directory.DescriptorFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A write of a whole FUSE request (up to 1 MiB, more than one backing write piece) lands whole on
 * every storage type: from a buffer whose position is not 0, at an unaligned offset, with a block of
 * zeros in a later piece.
 */
class LargeWritesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = StorageType.class, names = {"REGULAR", "SPARSE", "MMAP", "DIRECT", "COMPRESSED"})
    void aRequestLargerThanOnePieceReadsBackExactly(StorageType type) throws Exception {
        int length = 3 * DescriptorFile.PIECE + 4097;
        byte[] data = new byte[length];
        new Random(type.ordinal()).nextBytes(data);
        Arrays.fill(data, 2 * DescriptorFile.PIECE + 3096, 2 * DescriptorFile.PIECE + 3096 + 8192, (byte) 0);
        ByteBuffer src = ByteBuffer.allocateDirect(length + 7).position(7).put(data).position(7);
        long offset = 1000;
        try (Volume volume = Volumes.open(LocalConfig.defaults().withStorageType(type)
                .withBaseDirectory(tmp.resolve("base")));
             Content c = volume.create("/seg", Flags.O_RDWR, 0600, null)) {
            assertEquals(length, c.write(src, offset));
            assertEquals(length + 7, src.position(), "the whole buffer is consumed");
            ByteBuffer back = ByteBuffer.allocateDirect(length);
            assertEquals(length, c.read(back, offset));
            byte[] out = new byte[length];
            back.flip().get(out);
            assertArrayEquals(data, out);
            assertEquals(offset + length, c.attributes().size);
        }
    }
}
