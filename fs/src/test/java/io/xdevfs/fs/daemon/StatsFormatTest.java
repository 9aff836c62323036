package io.xdevfs.fs.daemon;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatsFormatTest {
    /** The JSON's numbers are what %.1f and %.3f wrote before, without the formatter's cost. */
    @Test
    void fixedDecimalsMatchTheFormatter() {
        Random random = new Random(7);
        double[] edges = {0, -0.0, 0.05, 0.15, 0.25, 0.0005, 0.9995, 1.95, 99.95, 123.45, 1e14 + 0.5, -3.25, 7, 1e15,
            Double.NaN, Double.POSITIVE_INFINITY};
        for (double d : edges) {
            check(d);
        }
        for (int i = 0; i < 100_000; i++) {
            double d = switch (i % 4) {
                case 0 -> random.nextInt(10_000_000) / 10.0;      // a latency in us, one decimal as measured
                case 1 -> random.nextDouble() * 1_000;
                case 2 -> Math.exp(random.nextGaussian() * 8);  // rates, tiny to huge
                default -> random.nextInt(1_000_000) / 1000.0 + 0.0005;
            };
            check(d);
        }
    }

    private static void check(double d) {
        for (int decimals : new int[] {1, 3}) {
            String expected = Double.isFinite(d) ? String.format(Locale.ROOT, "%." + decimals + "f", d) : "0";
            if (expected.equals("-0.0") || expected.equals("-0.000")) {
                expected = expected.substring(1);
            }
            String got = StatsFormat.fixed(new StringBuilder(), d, decimals).toString();
            if (!expected.equals(got)) {
                // a double a hair from a half (0.15 is 0.1499999...): the formatter rounds its exact expansion
                double unit = Math.pow(10, -decimals);
                double scaled = Math.abs(d) / unit;
                assertEquals(0.5, scaled - Math.floor(scaled), 1e-6, d + " with " + decimals + " decimals: " + got + ", not " + expected);
                assertEquals(Double.parseDouble(expected), Double.parseDouble(got), unit * 1.0001, d + ": " + got);
            }
        }
    }
}
