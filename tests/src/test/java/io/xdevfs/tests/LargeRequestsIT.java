package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One FUSE request per MiB. libfuse2 cannot ask the kernel for requests above 128 KiB; xdevfs adds
 * FUSE_MAX_PAGES to its INIT reply, so a 1 MiB write() or O_DIRECT read costs one round trip to the
 * daemon instead of eight. {@code -o max_write=131072,max_read=131072} brings back the old size.
 */
@ExtendWith(NoLeftovers.class)
class LargeRequestsIT {
    private static final int MIB = 8;

    /** MIB MiB written with 1 MiB write() calls, then read with 1 MiB O_DIRECT reads: the requests each took. */
    private static long[] requestsPerPass(Mounted fs, int port) throws Exception {
        Run.ok("dd", "if=/dev/urandom", "of=" + fs.path("seg"), "bs=1M", "count=" + MIB, "conv=fsync");
        long writes = MonitoringIT.operations(MonitoringIT.scrape(port), "write");
        Run.ok("dd", "if=" + fs.path("seg"), "of=/dev/null", "bs=1M", "iflag=direct");
        long reads = MonitoringIT.operations(MonitoringIT.scrape(port), "read");
        assertEquals(Run.sha256(fs.base.resolve("seg")), Run.sha256(fs.path("seg")),
                "the mount shows the backing file's bytes");
        return new long[] {writes, reads};
    }

    @Test
    void aMebibyteIsOneRequestUnlessMaxWriteSaysOtherwise() throws Exception {
        int bigPort = MonitoringIT.freePort();
        int smallPort = MonitoringIT.freePort();
        // Without passthrough, whose writes go from the kernel to the backing file, not to the daemon.
        try (Mounted big = Mounted.start(List.of("fuse_passthrough = false", "[monitoring]", "metrics_port = " + bigPort));
             Mounted small = Mounted.start(List.of("fuse_passthrough = false", "[monitoring]", "metrics_port = " + smallPort),
                     "-o", "max_write=131072,max_read=131072")) {
            long[] b = requestsPerPass(big, bigPort);
            assertEquals(MIB, b[0], "1 MiB writes, one request each");
            assertEquals(MIB, b[1], "1 MiB O_DIRECT reads, one request each");
            assertTrue(big.log().contains("FUSE requests carry up to 1024 KiB"), big.log());

            long[] s = requestsPerPass(small, smallPort);
            assertEquals(MIB * 8, s[0], "libfuse2's 128 KiB requests");
            assertEquals(MIB * 8, s[1]);
            assertTrue(small.log().contains("FUSE requests carry up to 128 KiB"), small.log());
        }
    }
}
