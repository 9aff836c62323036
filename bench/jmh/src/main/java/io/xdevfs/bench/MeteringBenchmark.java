package io.xdevfs.bench;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.metrics.MeteredVolume;
import io.xdevfs.tiers.metrics.Metrics;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.Volumes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What statistics cost: a 4 KiB pwrite and a getattr through a regular volume, with and without the
 * metering decorator (the backing file stays in the page cache, so the figure is the CPU path, the
 * worst case for a relative overhead; through FUSE every call costs tens of microseconds more).
 * Run: java -jar bench/jmh/target/xdevfs-bench.jar MeteringBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MeteringBenchmark {
    @Param({"off", "on"})
    public String metrics;

    private Path dir;
    private Volume volume;
    private Content content;
    private final ByteBuffer block = ByteBuffer.allocateDirect(4096);
    private long offset;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("xdevfs-metering-");
        Volume raw = Volumes.open(LocalConfig.defaults().withBaseDirectory(dir));
        volume = metrics.equals("on") ? new MeteredVolume(raw, new Metrics(System::nanoTime), 100_000_000L,
                (op, path, bytes, nanos) -> { }) : raw;
        content = volume.create("/f", Flags.O_RDWR, 0644, null);
    }

    @Benchmark
    public int write4k() throws Exception {
        offset = (offset + 4096) & ((64 << 20) - 1);
        return content.write(block.clear(), offset);
    }

    @Benchmark
    public long getattr() throws Exception {
        return volume.getattr("/f").size;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        content.close();
        volume.unlink("/f");
        volume.close();
        Files.delete(dir);
    }
}
