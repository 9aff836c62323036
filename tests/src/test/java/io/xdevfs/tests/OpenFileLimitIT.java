package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's open-file limit and max_open_files: a daemon raises its limit to what max_open_files
 * needs, and where it cannot (no CAP_SYS_RESOURCE, a container's hard limit) it lowers the bound so
 * that idle descriptors are parked instead of opens failing with EMFILE.
 */
@ExtendWith(NoLeftovers.class)
class OpenFileLimitIT {
    /** Opens argv[2] files in argv[1] at once, writes each, reads each back; prints how many and whether all read back. */
    private static final String MANY_OPEN = String.join("\n",
            "import os, sys, resource",
            "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)",
            "n = min(int(sys.argv[2]), hard - 100)",
            "resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))",
            "fds = []",
            "try:",
            "    for i in range(n):",
            "        fds.append(os.open('%s/f%d' % (sys.argv[1], i), os.O_CREAT | os.O_RDWR, 0o600))",
            "    for i, fd in enumerate(fds):",
            "        os.write(fd, b'%08d' % i)",
            "    print(len(fds), all(os.pread(fd, 8, 0) == b'%08d' % i for i, fd in enumerate(fds)))",
            "except OSError as e:",
            "    print('failed after', len(fds), e)",
            "finally:",
            "    for fd in fds:",
            "        os.close(fd)");

    /**
     * A hybrid (three volumes, a compressed cold tier) under a limit of 2,048 served 3,000 open
     * files: it failed opens with EMFILE past about a thousand, far below max_open_files' 65,536.
     */
    @Test
    void aHybridUnderALowOpenFileLimitServesMoreOpenFilesThanTheLimit() throws Exception {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Files.createDirectory(root.resolve("mnt"));
        Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = " + root.resolve("hot"),
                "cold_storage_type = compressed", "cold_directory = " + root.resolve("cold")));
        try (Mounted fs = Mounted.startUnderOpenFileLimit(root, 2048)) {
            String out = Run.ok(Py.PYTHON, "-c", MANY_OPEN, fs.mnt.toString(), "3000").strip();
            assertTrue(out.matches("\\d+ True"), out + "\n" + fs.log());
            assertTrue(Integer.parseInt(out.split(" ")[0]) > 2048, out);
            // Raised where the daemon may (CAP_SYS_RESOURCE), else the bound lowered to fit.
            boolean raised = fs.log().contains("open-file limit raised from 2048");
            assertTrue(raised || fs.log().contains("max_open_files is 384 on this mount"), fs.log());
            String stats = HybridIT.stats(fs);
            assertTrue(stats.matches("(?s).*open_files_bound\\s+" + (raised ? "65536" : "384") + "(\\.0+)?\\s.*"), stats);
        }
    }
}
