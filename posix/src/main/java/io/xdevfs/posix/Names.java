package io.xdevfs.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names are bytes. Linux allows any byte but '/' and NUL in a name, valid UTF-8 or not, so a
 * name decoded as UTF-8 would turn distinct invalid names into one (every bad byte becomes U+FFFD)
 * and make names longer than the kernel's 255 bytes.
 *
 * <p>So every name and path that flows between the kernel, the engine and libc is a <em>byte
 * string</em>: a Java String with one char (0-255) per byte, i.e. ISO-8859-1, which maps each byte to
 * exactly one char and back. {@link LibC} encodes its String arguments that way. Paths that come from
 * people (a config file, the command line) are Unicode and are turned into byte strings with
 * {@link #of(Path)}; {@link #display} turns a byte string back into readable text for logs.
 */
public final class Names {
    private Names() {
    }

    /** The byte string of raw name bytes. */
    public static String ofBytes(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    public static String ofBytes(byte[] bytes) {
        return ofBytes(bytes, 0, bytes.length);
    }

    /** The raw bytes of a byte string. */
    public static byte[] bytes(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The byte string of a Unicode path as the host names it (UTF-8). */
    public static String of(Path path) {
        return ofBytes(path.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The byte string of a path found on disk (from a directory listing or a walk), whose bytes need not
     * be UTF-8. {@link Path#toString} would turn each invalid byte into U+FFFD, but a path's URI keeps
     * every byte, percent-encoding all but printable ASCII; directories get a trailing '/', dropped here.
     */
    public static String ofFound(Path path) {
        String raw = path.toAbsolutePath().toUri().getRawPath();
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out.append((char) Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    /** A byte string as text for people: its bytes read as UTF-8 (invalid bytes shown as U+FFFD). */
    public static String display(String byteString) {
        return byteString == null ? null : new String(bytes(byteString), StandardCharsets.UTF_8);
    }
}
