package io.xdevfs.fs;

import java.util.Locale;

/** Parsers for config values; each throws IllegalArgumentException whose message says what is allowed. */
final class Values {

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

    private Values() {
    }
}
