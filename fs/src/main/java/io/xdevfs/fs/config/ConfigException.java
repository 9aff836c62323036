package io.xdevfs.fs.config;

import java.util.List;

/** A configuration cannot be used; {@link #problems()} are one line each: file:line: key: what is allowed. */
public final class ConfigException extends Exception {
    private final List<String> problems;

    ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
