package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.metrics.MeteredVolume;
import io.xdevfs.tiers.metrics.Metrics;
import io.xdevfs.tiers.metrics.Op;
import io.xdevfs.tiers.metrics.OpMetricsView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @TempDir
    Path tmp;

    private static OpMetricsView view(Metrics m, Op op) {
        return OpMetricsView.of(m).stream().filter(v -> v.op() == op).findFirst().orElseThrow();
    }

    @Test
    void countersMatchAKnownWorkloadExactly() throws Exception {
        Metrics m = new Metrics(System::nanoTime);
        try (Volume v = new MeteredVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(tmp.resolve("b"))), m, 0,
                null)) {
            try (Content c = v.create("/f", Flags.O_RDWR, 0644, null)) {
                ByteBuffer block = ByteBuffer.allocateDirect(4096);
                for (int i = 0; i < 250; i++) {
                    c.write(block.clear(), i * 4096L);
                }
                for (int i = 0; i < 40; i++) {
                    c.read(block.clear(), i * 4096L);
                }
                c.sync(true);
            }
            assertThrows(PosixException.class, () -> v.getattr("/missing"));
            v.registerGauges(m);
        }
        assertEquals(250, view(m, Op.WRITE).ops());
        assertEquals(250 * 4096, view(m, Op.WRITE).bytes());
        assertEquals(40, view(m, Op.READ).ops());
        assertEquals(40 * 4096, view(m, Op.READ).bytes());
        assertEquals(1, view(m, Op.SYNC).ops());
        assertEquals(1, view(m, Op.CREATE).ops());
        assertEquals(1, view(m, Op.CLOSE).ops());
        assertEquals(1, view(m, Op.GETATTR).answers(), "ENOENT is an answer");
        assertEquals(0, view(m, Op.GETATTR).errors(), "not an error");
        assertEquals(0, m.gauges().get("open_files").intValue());
        m.reset();
        assertEquals(0, view(m, Op.WRITE).ops());
        assertEquals(0, view(m, Op.WRITE).p99Us());
    }

    /** A volume whose calls take exactly the time the test says, on a clock the test owns. */
    private static Volume slowVolume(AtomicLong clock, long[] latencies, int[] next) {
        return (Volume) java.lang.reflect.Proxy.newProxyInstance(Volume.class.getClassLoader(),
                new Class<?>[] {Volume.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getattr")) {
                        clock.addAndGet(latencies[next[0]++]);
                        if (args[0].equals("/fault")) {
                            throw new PosixException(Errno.EIO, "getattr", "/fault");
                        }
                        return new Stat();
                    }
                    return null;
                });
    }

    @Test
    void percentilesReflectInjectedLatenciesWithinHistogramPrecision() throws Exception {
        AtomicLong clock = new AtomicLong();
        Metrics m = new Metrics(clock::get);
        long[] latencies = new long[1000];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = i < 900 ? 100_000 : i < 990 ? 2_000_000 : 50_000_000; // 100 us, 2 ms, 50 ms
        }
        int[] next = {0};
        List<String> slow = new ArrayList<>();
        Volume v = new MeteredVolume(slowVolume(clock, latencies, next), m, 10_000_000,
                (op, path, bytes, nanos) -> slow.add(op.key() + " " + path + " " + nanos));
        for (int i = 0; i < 1000; i++) {
            v.getattr("/f");
        }
        OpMetricsView g = view(m, Op.GETATTR);
        assertEquals(1000, g.ops());
        // 2 significant digits: every figure within 1% of the injected latency.
        assertEquals(100.0, g.p50Us(), 1.0, "p50");
        assertEquals(100.0, g.p90Us(), 1.0, "p90");
        assertEquals(2000.0, g.p99Us(), 20.0, "p99");
        assertEquals(50_000.0, g.p999Us(), 500.0, "p99.9");
        assertEquals(50_000.0, g.maxUs(), 500.0, "max");
        assertEquals((900 * 100 + 90 * 2000 + 10 * 50_000) / 1000.0, g.meanUs(), 8.0, "mean");
        assertEquals(10, slow.size(), "only the 50 ms calls are slow at a 10 ms threshold");
        assertTrue(slow.get(0).startsWith("getattr /f 50000000"), slow.get(0));
    }

    @Test
    void errorsAreFailuresOfTheStoreAndRatesCoverTheLastInterval() throws Exception {
        AtomicLong clock = new AtomicLong();
        Metrics m = new Metrics(clock::get);
        long[] latencies = new long[10];
        java.util.Arrays.fill(latencies, 1000);
        Volume v = new MeteredVolume(slowVolume(clock, latencies, new int[1]), m, 0, null);
        for (int i = 0; i < 8; i++) {
            v.getattr("/f");
        }
        assertThrows(IOException.class, () -> v.getattr("/fault"));
        assertEquals(1, m.errors());
        clock.addAndGet(2_000_000_000L - 9000); // two seconds since creation
        m.tick();
        assertEquals(4.5, m.rate(Op.GETATTR)[0], 0.01, "9 calls in 2 s");
        clock.addAndGet(1_000_000_000L);
        m.tick();
        assertEquals(0.0, m.rate(Op.GETATTR)[0], "none in the last second");
    }
}
