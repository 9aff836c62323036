package io.xdevfs.posix;

/** The one place that knows which processor we run on; struct layouts and a few flags depend on it. */
final class Arch {
    static final boolean X86_64;
    static final boolean AARCH64;

    static {
        String arch = System.getProperty("os.arch");
        X86_64 = arch.equals("amd64") || arch.equals("x86_64");
        AARCH64 = arch.equals("aarch64");
    }

    static long openat2SyscallNumber() {
        return 437; // the same number on x86_64 and aarch64 (added after the tables were unified)
    }

    static void requireSupported() {
        if (!(X86_64 || AARCH64) || !System.getProperty("os.name").equals("Linux")) {
            throw new UnsupportedOperationException("xdevfs runs on Linux x86_64 or aarch64, not "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
    }

    private Arch() {
    }
}
