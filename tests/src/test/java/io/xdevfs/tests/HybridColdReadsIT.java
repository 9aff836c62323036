package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random reads of a cold file fill the compressed cold tier's chunk cache (128 MiB by default), and a
 * daemon that {@code xdevfs mount} started with its memory budget holds it. Regression: the budget
 * left a hybrid's tier caches out, the cache filled a 128 MiB heap, and the daemon died (SIGSEGV in
 * jffi when an allocation failed) within seconds; the mount then answered ENOTCONN.
 */
@ExtendWith(NoLeftovers.class)
class HybridColdReadsIT {
    private static final int SIZE = 200 << 20;
    private static final long MIB = 1 << 20;

    @Test
    void randomReadsOfAColdFileFillTheChunkCacheAndTheDaemonServesOn() throws Exception {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Path mnt = Files.createDirectory(root.resolve("mnt"));
        Path config = Files.write(root.resolve("c.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "storage_type = hybrid", "compression_type = lz4", "[hybrid]", "hot_storage_type = regular",
                "hot_directory = " + root.resolve("hot"), "cold_storage_type = compressed",
                "cold_directory = " + root.resolve("cold"), "cold_timeout_sec = 3600"));
        Run mount = Mounted.cli("mount", "--config", config.toString(), "--log-file", root.resolve("d.log").toString(),
                mnt.toString());
        try {
            assertEquals(0, mount.exit(), mount.output());
            byte[] data = walLike(SIZE);
            Path file = mnt.resolve("000000010000000000000001");
            Files.write(file, data);
            Run migrate = Mounted.cli("tier", "migrate", "--to", "cold", mnt.toString(), file.getFileName().toString());
            assertEquals(0, migrate.exit(), migrate.output());
            // the pages the write left in the kernel's cache go, so the reads reach the daemon
            Run.ok("dd", "if=" + file, "iflag=nocache", "count=0", "status=none");
            try (FileChannel ch = FileChannel.open(file)) {
                Random rnd = new Random(1);
                ByteBuffer page = ByteBuffer.allocate(4096);
                for (int i = 0; i < 12_000; i++) { // touches nearly every one of the file's 1,600 chunks
                    int at = rnd.nextInt(SIZE / 4096) * 4096;
                    page.clear();
                    while (page.hasRemaining() && ch.read(page, at + page.position()) > 0) {
                        // a short read goes on from where it stopped
                    }
                    assertTrue(Arrays.equals(page.array(), 0, 4096, data, at, at + 4096), "bytes at " + at);
                }
            }
            String stats = Mounted.cli("stats", mnt.toString()).output();
            assertTrue(HybridIT.gauge(stats, "cache_size_bytes") > 100 * MIB, "the cold tier's cache filled\n" + stats);
            assertTrue(HybridIT.gauge(stats, "memory_heap_max_bytes") >= 256 * MIB, stats);
            Run umount = Mounted.cli("umount", mnt.toString());
            assertEquals(0, umount.exit(), umount.output() + Files.readString(root.resolve("d.log")));
        } finally {
            if (Run.of("findmnt", "-n", "--mountpoint", mnt.toString()).exit() == 0) {
                Run.of("fusermount3", "-u", "-z", mnt.toString());
            }
        }
    }

    /** Bytes that compress about 2x, as WAL does: each 4 KiB half random, half a repeated record header. */
    private static byte[] walLike(int size) {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        byte[] header = "rec 000000000042 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i += 4096) {
            for (int j = 2048; j < 4096; j++) {
                b[i + j] = header[j % header.length];
            }
        }
        return b;
    }
}
