package io.xdevfs.codecs;

import java.nio.ByteBuffer;

/**
 * Shannon entropy of a sample, in bits per byte: the seed's cheap "will this compress" test. Up to
 * 4 KiB are sampled, in 16 slices spread over the data, so that a header or a zero tail alone does not
 * decide for the whole chunk.
 */
public final class Entropy {
    private static final int SAMPLE = 4096;
    private static final int SLICES = 16;
    private static final ThreadLocal<int[]> COUNTS = ThreadLocal.withInitial(() -> new int[256]);

    public static double bitsPerByte(ByteBuffer data) {
        int[] counts = COUNTS.get();
        java.util.Arrays.fill(counts, 0);
        int length = data.remaining();
        int start = data.position();
        int sampled = 0;
        if (length <= SAMPLE) {
            for (int i = 0; i < length; i++) {
                counts[data.get(start + i) & 0xff]++;
            }
            sampled = length;
        } else {
            int slice = SAMPLE / SLICES;
            long stride = (long) (length - slice) / (SLICES - 1);
            for (int s = 0; s < SLICES; s++) {
                int from = start + (int) (s * stride);
                for (int i = 0; i < slice; i++) {
                    counts[data.get(from + i) & 0xff]++;
                }
            }
            sampled = slice * SLICES;
        }
        if (sampled == 0) {
            return 0;
        }
        double bits = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / sampled;
                bits -= p * (Math.log(p) / Math.log(2));
            }
        }
        return bits;
    }

    private Entropy() {
    }
}
