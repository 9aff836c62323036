package io.xdevfs.bench;

import io.xdevfs.codecs.ChunkFrame;
import io.xdevfs.codecs.Codec;
import io.xdevfs.codecs.Codecs;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Encoding and decoding one 64 KiB chunk frame (what the compressed storage type does per chunk,
 * checksums included), rotating over the input so that no chunk stays in the CPU cache. Throughput
 * is chunks per second; bench/codecs.sh turns it into MB/s of raw data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CodecBenchmark {
    static final int CHUNK = 64 * 1024;

    @Param({"lz4:1", "lz4:9", "zstd:1", "zstd:3", "zstd:9", "snappy:0", "gzip:6", "brotli:4"})
    public String codec;

    @Param({"text", "random", "wal"})
    public String input;

    private Codec c;
    private int level;
    private ByteBuffer raw;
    private ByteBuffer[] frames;
    private ByteBuffer frameOut;
    private ByteBuffer rawOut;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] cl = codec.split(":");
        c = Codecs.byName(cl[0]).orElseThrow();
        c.requireAvailable();
        level = Integer.parseInt(cl[1]);
        byte[] data = Inputs.load(input);
        raw = ByteBuffer.allocateDirect(data.length).put(data).flip();
        int chunks = data.length / CHUNK;
        frames = new ByteBuffer[chunks];
        for (int i = 0; i < chunks; i++) {
            ByteBuffer f = ByteBuffer.allocateDirect(ChunkFrame.maxFrameLength(c, CHUNK));
            ChunkFrame.encode(c, level, raw.slice(i * CHUNK, CHUNK), f);
            frames[i] = f.flip();
        }
        frameOut = ByteBuffer.allocateDirect(ChunkFrame.maxFrameLength(c, CHUNK));
        rawOut = ByteBuffer.allocate(CHUNK);
    }

    @Benchmark
    public int compress() {
        int i = next++ % frames.length;
        frameOut.clear();
        ChunkFrame.encode(c, level, raw.slice(i * CHUNK, CHUNK), frameOut);
        return frameOut.position();
    }

    @Benchmark
    public int decompress() throws Exception {
        int i = next++ % frames.length;
        rawOut.clear();
        return ChunkFrame.decode(frames[i].duplicate(), rawOut);
    }
}
