package io.xdevfs.fs.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's INI dialect: {@code [section]} headers, {@code key = value} lines, {@code #} or {@code ;}
 * comments (also after a value), and optional double quotes around a value. Syntax errors are
 * collected with their line numbers, not thrown one at a time.
 */
public final class IniFile {
    /** One key = value line, with where it came from. */
    record Entry(String section, String key, String value, int line) {
    }

    final Path file;
    final List<Entry> entries = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    private IniFile(Path file) {
        this.file = file;
    }

    public static IniFile read(Path file) throws IOException {
        IniFile ini = new IniFile(file);
        List<String> lines = Files.readAllLines(file);
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            section = ini.parseLine(lines.get(i), i + 1, section);
        }
        return ini;
    }

    /** Returns the section in force after this line. */
    private String parseLine(String raw, int line, String section) {
        String text = stripComment(raw).strip();
        if (text.isEmpty()) {
            return section;
        }
        if (text.startsWith("[")) {
            if (!text.endsWith("]") || text.length() < 3) {
                errors.add(where(line) + ": malformed section header '" + text + "'");
                return section;
            }
            return text.substring(1, text.length() - 1).strip();
        }
        int eq = text.indexOf('=');
        if (eq <= 0) {
            errors.add(where(line) + ": expected 'key = value', found '" + text + "'");
            return section;
        }
        if (section == null) {
            errors.add(where(line) + ": key '" + text.substring(0, eq).strip() + "' is outside any [section]");
            return section;
        }
        String value = text.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        entries.add(new Entry(section, text.substring(0, eq).strip(), value, line));
        return section;
    }

    /** A '#' or ';' starts a comment unless it sits inside double quotes. */
    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '#' || c == ';')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    String where(int line) {
        return file + ":" + line;
    }
}
