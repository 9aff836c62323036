package io.xdevfs.fs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads /proc/self/mountinfo: is something mounted on a directory, and of which type. */
public final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** The filesystem type mounted exactly on {@code dir} (the topmost one), if any. */
    public static Optional<String> typeAt(Path dir) {
        String want = dir.toAbsolutePath().normalize().toString();
        String found = null;
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 0 && dash + 1 < f.length && unescape(f[4]).equals(want)) {
                found = f[dash + 1];
            }
        }
        return Optional.ofNullable(found);
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private MountTable() {
    }
}
