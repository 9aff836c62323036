package io.xdevfs.tests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage_type = sparse on a real mount: zero-filled WAL segments cost no space, data is exact. */
@ExtendWith(NoLeftovers.class)
class SparseIT {
    static Mounted fs;

    @BeforeAll
    static void mount() throws Exception {
        fs = Mounted.start(List.of("storage_type = sparse", "hole_detection_size = 4096"));
    }

    @AfterAll
    static void unmount() throws Exception {
        fs.close();
    }

    private static long allocated(Path p) {
        return Long.parseLong(Run.ok("stat", "-c", "%b", p.toString()).strip()) * 512;
    }

    @Test
    void aPostgresStyleZeroFilledSegmentOccupiesNearlyNothingUntilDataArrives() throws Exception {
        Path seg = fs.path("000000010000000000000001");
        Run.ok("dd", "if=/dev/zero", "of=" + seg, "bs=8k", "count=2048", "conv=fsync", "status=none");
        assertEquals(16 << 20, Files.size(seg));
        assertTrue(allocated(seg) <= 64 * 1024, "allocated " + allocated(seg));
        assertEquals(allocated(fs.base.resolve(seg.getFileName())), allocated(seg), "du on the mount is the truth");
        Run.ok("dd", "if=/dev/urandom", "of=" + seg, "bs=8k", "count=16", "conv=notrunc,fdatasync", "status=none");
        assertTrue(allocated(seg) >= 128 * 1024 && allocated(seg) <= 256 * 1024, "allocated " + allocated(seg));
        assertEquals(Run.ok("sha256sum", fs.base.resolve(seg.getFileName()).toString()).split(" ")[0],
                Run.ok("sha256sum", seg.toString()).split(" ")[0]);
        String du = Run.ok("du", "-k", seg.toString()).split("\\s")[0];
        String apparent = Run.ok("du", "-k", "--apparent-size", seg.toString()).split("\\s")[0];
        assertEquals("16384", apparent);
        assertTrue(Long.parseLong(du) < 1024, "du shows the savings: " + du + " KiB");
    }

    @Test
    void fioVerifiesMixedZeroAndNonZeroWrites() {
        Run fio = Run.of("fio", "--verify_state_save=0", "--name=mixed", "--directory=" + fs.mnt, "--size=16M", "--bs=64k", "--rw=randwrite",
                "--ioengine=psync", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1",
                "--buffer_compress_percentage=50", "--buffer_compress_chunk=4k", "--refill_buffers", "--numjobs=2",
                "--group_reporting");
        assertEquals(0, fio.exit(), fio.output());
        assertTrue(fio.output().contains("err= 0"), fio.output());
    }

    @Test
    void punchHoleAndZeroRangeWorkThroughTheMount() throws Exception {
        Path f = fs.path("punch");
        Run.ok("dd", "if=/dev/urandom", "of=" + f, "bs=64k", "count=16", "conv=fsync", "status=none");
        long before = allocated(f);
        Run.ok("fallocate", "-p", "-o", "0", "-l", "512KiB", f.toString());
        Run.ok("fallocate", "-z", "-o", "512KiB", "-l", "64KiB", f.toString());
        assertEquals(1 << 20, Files.size(f));
        byte[] bytes = Files.readAllBytes(f);
        for (int i = 0; i < (576 << 10); i++) {
            if (bytes[i] != 0) {
                throw new AssertionError("byte " + i + " is not zero after punch/zero range");
            }
        }
        assertTrue(allocated(f) < before, "punching freed space: " + before + " -> " + allocated(f));
    }

    @Test
    void zerosKeepSpaceAProgramReservedAndFreeOnlyWhatHeldData() throws Exception {
        Path f = fs.path("reserved");
        Run.ok("fallocate", "-l", "4MiB", f.toString());
        long reserved = allocated(f);
        assertTrue(reserved >= 4 << 20, "fallocate reserved " + reserved);
        Run.ok("dd", "if=/dev/zero", "of=" + f, "bs=128k", "count=32", "conv=notrunc,fsync", "status=none");
        assertEquals(reserved, allocated(f), "zeros written into reserved space gave it back");
        Run.ok("dd", "if=/dev/urandom", "of=" + f, "bs=64k", "count=4", "seek=8", "conv=notrunc,fsync", "status=none");
        Run.ok("dd", "if=/dev/zero", "of=" + f, "bs=64k", "count=4", "seek=8", "conv=notrunc,fsync", "status=none");
        assertTrue(allocated(f) <= reserved - (256 << 10), "zeros over data were not punched: " + allocated(f));
        assertEquals(4 << 20, Files.size(f));
        Run cmp = Run.of("cmp", "-n", String.valueOf(4 << 20), f.toString(), "/dev/zero");
        assertEquals(0, cmp.exit(), cmp.output());
    }

    @Test
    void aTreeCopiesExactly() throws Exception {
        Run.ok("cp", "-a", "/usr/share/doc/fio", fs.path("doc").toString());
        Run diff = Run.of("diff", "-r", "/usr/share/doc/fio", fs.path("doc").toString());
        assertEquals(0, diff.exit(), diff.output());
    }
}
