package io.xdevfs.tiers.block;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SparseBits and SparseInts against a dense model, near page edges and far past them. */
class SparseBitsTest {
    @Test
    void sparseBitsAnswerAsADenseBitSetDoes() {
        Random random = new Random(11);
        SparseBits bits = new SparseBits();
        BitSet model = new BitSet();
        for (int op = 0; op < 20_000; op++) {
            int a = near(random);
            int b = a + random.nextInt(9000);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    bits.set(a);
                    model.set(a);
                }
                case 2 -> {
                    bits.clear(a);
                    model.clear(a);
                }
                case 3 -> {
                    bits.clear(a, b);
                    model.clear(a, b);
                }
                default -> {
                    for (int i = a; i < Math.min(b, a + 200); i++) {
                        bits.set(i);
                        model.set(i);
                    }
                }
            }
            int probe = near(random);
            assertEquals(model.get(probe), bits.get(probe), "get " + probe);
            assertEquals(model.nextSetBit(probe), bits.nextSetBit(probe), "nextSetBit " + probe);
            assertEquals(model.nextClearBit(probe), bits.nextClearBit(probe), "nextClearBit " + probe);
        }
        bits.clear(0, Long.MAX_VALUE);
        assertEquals(-1, bits.nextSetBit(0));
    }

    @Test
    void aBitFarOutCostsOnePage() {
        SparseBits bits = new SparseBits();
        long far = (1L << 40) / 4096 + 7; // a block at 1 TiB
        bits.set(far);
        assertEquals(far, bits.nextSetBit(0));
        assertEquals(0, bits.nextClearBit(0));
        assertEquals(far + 1, bits.nextClearBit(far));
        bits.clear(far / 2, Long.MAX_VALUE);
        assertEquals(-1, bits.nextSetBit(0));
    }

    @Test
    void sparseIntsAnswerAsADenseArrayDoes() {
        Random random = new Random(5);
        SparseInts ints = new SparseInts(-1);
        int[] model = new int[40_000];
        java.util.Arrays.fill(model, -1);
        for (int op = 0; op < 20_000; op++) {
            int i = random.nextInt(model.length);
            if (random.nextInt(10) == 0) {
                ints.clearFrom(i);
                java.util.Arrays.fill(model, i, model.length, -1);
            } else {
                int v = random.nextInt(4) == 0 ? -1 : random.nextInt();
                ints.set(i, v);
                model[i] = v;
            }
            int probe = random.nextInt(model.length);
            assertEquals(model[probe], ints.get(probe));
        }
        long present = java.util.Arrays.stream(model).filter(v -> v != -1).count();
        assertEquals(present, ints.present());
        long[] seen = {0, -1};
        ints.forEachFrom(100, (index, value) -> {
            assertEquals(model[(int) index], value);
            assertEquals(true, index > seen[1], "in order");
            seen[1] = index;
            seen[0]++;
        });
        assertEquals(java.util.Arrays.stream(model, 100, model.length).filter(v -> v != -1).count(), seen[0]);
        assertEquals(model[777], ints.range(777, 779)[0]);
        assertEquals(-1, new SparseInts(-1).get(1L << 40));
    }

    /** Mostly around the page edges (every 1,024 and 4,096), sometimes anywhere below 60,000. */
    private static int near(Random random) {
        return random.nextBoolean() ? random.nextInt(60_000) : (random.nextInt(14) + 1) * 4096 + random.nextInt(200) - 100;
    }
}
