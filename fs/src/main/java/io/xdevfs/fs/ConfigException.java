package io.xdevfs.fs;

import java.util.List;

/** A configuration cannot be used; {@link #problems()} are one line each: file:line: key: what is allowed. */
final class ConfigException extends Exception {
    private final List<String> problems;

    ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
