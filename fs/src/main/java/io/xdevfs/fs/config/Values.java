package io.xdevfs.fs.config;

import java.math.BigDecimal;
import java.util.Locale;

/** Parsers for config values; each throws IllegalArgumentException whose message says what is allowed. */
public final class Values {

    static boolean bool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw new IllegalArgumentException("expected true or false");
        }
    }

    static int octalMode(String v) {
        if (!v.matches("0?[0-7]{1,4}")) {
            throw new IllegalArgumentException("expected an octal mode from 0000 to 7777, e.g. 0644");
        }
        return Integer.parseInt(v, 8);
    }

    static int integer(String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
    }

    /** Seconds, fractions allowed (0.5), from 0 to {@code maxSeconds}, as milliseconds. */
    static long secondsAsMillis(String v, int maxSeconds) {
        try {
            BigDecimal ms = new BigDecimal(v.strip()).movePointRight(3);
            if (ms.signum() >= 0 && ms.compareTo(BigDecimal.valueOf(maxSeconds * 1000L)) <= 0
                    && ms.stripTrailingZeros().scale() <= 0) {
                return ms.longValueExact();
            }
        } catch (NumberFormatException | ArithmeticException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("expected seconds from 0 to " + maxSeconds + " (in steps of 0.001)");
    }

    /** Bytes, or a number with K, M, G or T (powers of 1024; a trailing B or iB is allowed). */
    public static long size(String v) {
        String s = v.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.length() > 1 && s.endsWith("B") && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K': unit = 1L << 10; break;
                case 'M': unit = 1L << 20; break;
                case 'G': unit = 1L << 30; break;
                case 'T': unit = 1L << 40; break;
                default: break;
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s);
            if (n >= 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("expected a size in bytes, or with a K, M, G or T suffix (e.g. 64M)");
    }

    private Values() {
    }
}
