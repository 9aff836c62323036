package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * storage_type = block with its files stored compressed on the device (enable_compression = true), end
 * to end on loop devices: the device holds less than the files' sizes and stat still shows them, the
 * volume refuses a mount that would read its files raw, kill -9 during fdatasync'd appends loses no
 * acknowledged record, and fsck finds the device clean after each.
 */
@ExtendWith(NoLeftovers.class)
class BlockFileFormatsIT {
    private static final List<String> COMPRESSED = List.of("storage_type = block", "enable_compression = true",
            "compression_type = zstd");

    /** A mount of {@code loop} that leaves it attached at close (the test's try-with-resources detaches it). */
    private static Mounted mount(Path root, LoopDevice loop, List<String> lines) throws Exception {
        Mounted m = Mounted.onDevice(root, loop, lines);
        m.loop = null;
        return m;
    }

    @Test
    void compressedFilesTakeLessOfTheDeviceAndOnlyThatWayOfReadingThemMounts() throws Exception {
        Path root = TestDirs.create();
        Path text = root.resolve("wal.txt");
        Run.ok("bash", "-c", "for i in $(seq 1 400000); do echo \"LSN $i: INSERT INTO accounts VALUES ($((i % 977)), 'x')\";"
                + " done | head -c 16777216 > " + text);
        String sum = Run.sha256(text);
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            loop.format();
            Mounted m = mount(root, loop, COMPRESSED);
            try {
                Run.ok("dd", "if=" + text, "of=" + m.path("000000010000000000000001"), "bs=1M", "conv=fsync", "status=none");
                assertEquals(sum, Run.sha256(m.path("000000010000000000000001")));
                assertEquals(16L << 20, Files.size(m.path("000000010000000000000001")));
                long du = Long.parseLong(Run.ok("du", "-k", m.path("000000010000000000000001").toString()).split("\\s")[0]);
                assertTrue(du <= 4096, "the device holds " + du + " KiB of a 16 MiB file");
                String stats = HybridIT.stats(m);
                assertTrue(stats.matches("(?s).*compression_frames_zstd +[1-9].*"), stats);
            } finally {
                m.close();
            }
            Run fsck = loop.fsck();
            assertEquals(0, fsck.exit(), fsck.output());
            Mounted raw = null;
            try {
                raw = mount(root, loop, List.of("storage_type = block"));
            } catch (AssertionError expected) {
                assertTrue(expected.getMessage().contains("holds compressed files")
                        && expected.getMessage().contains("enable_compression = true"), expected.getMessage());
            }
            if (raw != null) {
                raw.close();
            }
            assertNull(raw, "a volume of compressed files mounted to be read raw");
            m = mount(root, loop, COMPRESSED);
            try {
                assertEquals(sum, Run.sha256(m.path("000000010000000000000001")), "after the refusal and a remount");
            } finally {
                m.close();
            }
        }
    }

    /**
     * A writer appends compressible 8 KiB records with fdatasync and prints each acknowledged count; the
     * daemon is killed mid-stream. After a remount every acknowledged record is there, byte-exact, and
     * fsck finds the device clean.
     */
    @Test
    void killDuringFdatasyncedAppendsLosesNoAcknowledgedRecord() throws Exception {
        Path root = TestDirs.create();
        try (LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 256L << 20)) {
            loop.format();
            Mounted m = Mounted.onDevice(root, loop, COMPRESSED);
            try {
                int last = KilledMidStream.lastAcknowledged(m, root.resolve("acks"), 300, String.join("\n",
                        "import os, sys",
                        "fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)",
                        "out = open(sys.argv[2], 'w', buffering=1)",
                        "n = 0",
                        "while True:",
                        "    n += 1",
                        "    os.write(fd, (b'record %08d ' % n) * 512)",
                        "    os.fdatasync(fd)",
                        "    out.write('%d\\n' % n)"), m.path("wal").toString());
                Run fsck = loop.fsck();
                assertEquals(0, fsck.exit(), fsck.output());
                m = Mounted.onDevice(root, loop, COMPRESSED);
                byte[] wal = Files.readAllBytes(m.path("wal"));
                assertTrue(wal.length >= last * 8192L, wal.length + " bytes < " + last + " acknowledged records");
                for (int r = 1; r <= last; r++) {
                    String want = String.format("record %08d ", r).repeat(512);
                    assertEquals(want, new String(wal, (r - 1) * 8192, 8192, StandardCharsets.US_ASCII), "record " + r);
                }
            } finally {
                m.close();
            }
        }
    }
}
