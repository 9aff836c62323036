package io.xdevfs.bench;

import io.xdevfs.codecs.ChunkFrame;
import io.xdevfs.codecs.Codec;
import io.xdevfs.codecs.Codecs;

import java.nio.ByteBuffer;

/**
 * Compression ratios of the chunked format (frames of 64, 128 and 256 KiB, headers included) against
 * the same codec and level on the whole input at once: what chunking for random access costs.
 * Prints a Markdown table. Run: java -cp xdevfs-bench.jar io.xdevfs.bench.Ratios
 */
public final class Ratios {
    public static void main(String[] args) throws Exception {
        String[] codecs = args.length > 0 ? args : new String[] {"lz4:1", "lz4:9", "zstd:1", "zstd:3", "zstd:9",
            "snappy:0", "gzip:6", "brotli:4"};
        System.out.println("| input | codec:level | whole file | chunks 64K | 128K (default) | 256K | 128K vs whole |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (String input : new String[] {"text", "wal", "random"}) {
            byte[] data = Inputs.load(input);
            for (String cl : codecs) {
                Codec c = Codecs.byName(cl.split(":")[0]).orElseThrow();
                c.requireAvailable();
                int level = Integer.parseInt(cl.split(":")[1]);
                double whole = whole(c, level, data);
                double k128 = chunked(c, level, data, 128 << 10);
                System.out.printf("| %s | %s | %.2f | %.2f | %.2f | %.2f | %+.1f%% |%n", input, cl, whole,
                        chunked(c, level, data, 64 << 10), k128, chunked(c, level, data, 256 << 10),
                        (k128 / whole - 1) * 100);
            }
        }
    }

    private static double whole(Codec c, int level, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(c.maxCompressedLength(data.length));
        return (double) data.length / c.compress(ByteBuffer.wrap(data), out, level);
    }

    private static double chunked(Codec c, int level, byte[] data, int chunk) {
        ByteBuffer out = ByteBuffer.allocate(ChunkFrame.maxFrameLength(c, chunk));
        long stored = 0;
        for (int off = 0; off < data.length; off += chunk) {
            out.clear();
            ChunkFrame.encode(c, level, ByteBuffer.wrap(data, off, Math.min(chunk, data.length - off)), out);
            stored += out.position();
        }
        return (double) data.length / stored;
    }

    private Ratios() {
    }
}
