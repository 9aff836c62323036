package io.xdevfs.fs;

import io.xdevfs.fs.config.Values;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code xdevfs bench MOUNTPOINT}: the seed's benchmark tool. A sequential write of --size in
 * --block-size writes and an fsync, then 4 KiB random reads of that file for --duration seconds,
 * each with IOPS, bandwidth and the latency histogram, and a progress line while it runs. It works
 * on any directory (compare a mount with its backing disk); the file is removed at the end.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Sequential write then random 4 KiB reads in DIRECTORY (an xdevfs mount or any other).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIRECTORY")
    Path dir;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "256M", description = "File size (default 256M).")
    String size;

    @Option(names = "--block-size", paramLabel = "SIZE", defaultValue = "1M",
            description = "Write size of the sequential phase (default 1M).")
    String blockSize;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds of random reads (default 10).")
    int duration;

    private final PrintStream out = System.out;
    private final PrintStream progress = Terminal.progress();

    @Override
    public Integer call() throws IOException {
        long total = parseSize(size, "--size");
        int bs = (int) parseSize(blockSize, "--block-size");
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + " is not a directory");
        }
        Path file = dir.resolve(".xdevfs-bench-" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            sequentialWrite(ch, total, bs);
            randomRead(ch, total);
        } finally {
            Files.deleteIfExists(file);
        }
        return 0;
    }

    private void sequentialWrite(FileChannel ch, long total, int bs) throws IOException {
        Histogram h = new Histogram(3);
        ByteBuffer buf = ByteBuffer.allocateDirect(bs);
        SplittableRandom rnd = new SplittableRandom(1);
        while (buf.hasRemaining()) {
            buf.put((byte) rnd.nextInt(256));
        }
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        for (long pos = 0; pos < total; pos += bs) {
            buf.clear().limit((int) Math.min(bs, total - pos));
            long t0 = System.nanoTime();
            while (buf.hasRemaining()) {
                ch.write(buf, pos + buf.position());
            }
            long t1 = System.nanoTime();
            h.recordValue(t1 - t0);
            if (t1 >= nextReport) {
                progress.printf(Locale.ROOT, "\rwrite: %d of %d MiB, %.0f MiB/s   ", (pos + bs) >> 20, total >> 20,
                        (pos + bs) / 1048576.0 / ((t1 - start) / 1e9));
                nextReport = t1 + 1_000_000_000L;
            }
        }
        long t0 = System.nanoTime();
        ch.force(true);
        long end = System.nanoTime();
        progress.print("\r" + " ".repeat(60) + "\r");
        report("sequential write", h, total, end - start);
        out.printf(Locale.ROOT, "  fsync at the end: %.1f ms%n", (end - t0) / 1e6);
    }

    private void randomRead(FileChannel ch, long total) throws IOException {
        Histogram h = new Histogram(3);
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        SplittableRandom rnd = new SplittableRandom(2);
        long blocks = Math.max(1, total / 4096);
        long start = System.nanoTime();
        long stop = start + duration * 1_000_000_000L;
        long nextReport = start + 1_000_000_000L;
        long n = 0;
        long now = start;
        while (now < stop) {
            buf.clear();
            long t0 = System.nanoTime();
            ch.read(buf, rnd.nextLong(blocks) * 4096);
            now = System.nanoTime();
            h.recordValue(now - t0);
            n++;
            if (now >= nextReport) {
                progress.printf(Locale.ROOT, "\rrandom read: %d s of %d, %.0f IOPS   ", (now - start) / 1_000_000_000L,
                        duration, n / ((now - start) / 1e9));
                nextReport = now + 1_000_000_000L;
            }
        }
        progress.print("\r" + " ".repeat(60) + "\r");
        report("random read 4k", h, n * 4096, now - start);
    }

    private void report(String phase, Histogram h, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        out.printf(Locale.ROOT, "%s: %d ops in %.2f s, %.0f IOPS, %.1f MiB/s%n", phase, h.getTotalCount(), seconds,
                h.getTotalCount() / seconds, bytes / 1048576.0 / seconds);
        out.printf(Locale.ROOT, "  latency us: mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                h.getMean() / 1e3, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static long parseSize(String v, String option) {
        try {
            long n = Values.size(v);
            if (n > 0) {
                return n;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new UsageException(option + " " + v + ": expected a size such as 64M");
    }
}
