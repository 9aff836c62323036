package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL's WAL access pattern replayed on a volume: a segment is preallocated, filled by 8 KiB
 * appends each followed by fdatasync, then recycled by renaming it to a future segment name, and
 * finally removed. Each step's bytes are checked through the volume and in the backing file.
 */
class WalReplayTest {
    static final int SEGMENT = 1 << 20;
    static final int RECORD = 8192;

    @TempDir
    Path tmp;

    @Test
    void preallocateAppendSyncRecycleUnlink() throws Exception {
        Path base = tmp.resolve("wal");
        try (Volume v = Volumes.open(LocalConfig.defaults().withBaseDirectory(base))) {
            v.mkdir("/pg_wal", 0700, null);
            Random rnd = new Random(7);
            byte[] expected = new byte[SEGMENT];
            try (Content seg = v.create("/pg_wal/000000010000000000000001", Flags.O_RDWR, 0600, null)) {
                seg.allocate(0, 0, SEGMENT);
                assertEquals(SEGMENT, seg.attributes().size);
                assertTrue(seg.attributes().blocks * 512 >= SEGMENT, "the segment's blocks are allocated");
                ByteBuffer record = ByteBuffer.allocateDirect(RECORD);
                for (int offset = 0; offset < SEGMENT; offset += RECORD) {
                    byte[] bytes = new byte[RECORD];
                    rnd.nextBytes(bytes);
                    System.arraycopy(bytes, 0, expected, offset, RECORD);
                    record.clear();
                    record.put(bytes).flip();
                    assertEquals(RECORD, seg.write(record, offset));
                    seg.sync(true);
                }
            }
            v.syncDirectory("/pg_wal");
            assertArrayEquals(expected, Files.readAllBytes(base.resolve("pg_wal/000000010000000000000001")));

            // recycle: the finished segment becomes a future one and is overwritten in place
            v.rename("/pg_wal/000000010000000000000001", "/pg_wal/000000010000000000000003", 0);
            v.syncDirectory("/pg_wal");
            try (Content seg = v.open("/pg_wal/000000010000000000000003", Flags.O_RDWR)) {
                ByteBuffer head = ByteBuffer.allocateDirect(RECORD);
                head.put(new byte[RECORD]).flip();
                seg.write(head, 0);
                seg.sync(true);
                Arrays.fill(expected, 0, RECORD, (byte) 0);
                ByteBuffer all = ByteBuffer.allocateDirect(SEGMENT);
                assertEquals(SEGMENT, seg.read(all, 0));
                byte[] back = new byte[SEGMENT];
                all.flip().get(back);
                assertArrayEquals(expected, back);
            }
            v.unlink("/pg_wal/000000010000000000000003");
            v.syncDirectory("/pg_wal");
            assertFalse(Files.exists(base.resolve("pg_wal/000000010000000000000003")));
            assertEquals(0, v.readdir("/pg_wal").size());
        }
    }
}
