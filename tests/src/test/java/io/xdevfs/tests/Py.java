package io.xdevfs.tests;

import java.nio.file.Path;

/**
 * Runs a few lines of Python against the mount: os.* calls are thin wrappers of the system calls, so
 * this is the most direct way to see the exact errno a program gets.
 */
final class Py {
    /**
     * The system's python3. A python3 found first on PATH may be a version manager's shim (pyenv's
     * costs 300 ms a start, 10 times the interpreter), and the suites start python a few thousand times.
     */
    static final String PYTHON = java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    /**
     * Runs {@code code} (statements, with {@code d} bound to the directory) and returns "OK" or the
     * errno name of the OSError it raised, e.g. "ENOTEMPTY".
     */
    static String errno(Path dir, String code) {
        String script = "import os, errno, stat, sys\n"
                + "d = sys.argv[1]\n"
                + "try:\n"
                + indent(code)
                + "    print('OK')\n"
                + "except OSError as e:\n"
                + "    print(errno.errorcode[e.errno])\n";
        return Run.ok(PYTHON, "-c", script, dir.toString()).strip();
    }

    /** Runs {@code code} and returns what it printed (it must not fail). */
    static String eval(Path dir, String code) {
        String script = "import os, errno, stat, sys\nd = sys.argv[1]\n" + code + "\n";
        return Run.ok(PYTHON, "-c", script, dir.toString()).strip();
    }

    private static String indent(String code) {
        StringBuilder b = new StringBuilder();
        for (String line : code.split("\n")) {
            b.append("    ").append(line).append('\n');
        }
        return b.toString();
    }

    private Py() {
    }
}
