package io.xdevfs.fs.daemon;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResidentBytesTest {
    /** memory_rss_bytes from /proc/self/statm is the VmRSS that /proc/self/status shows (give or take what moved between the reads). */
    @Test
    void statmGivesTheResidentSetThatStatusShows() throws Exception {
        long fromStatus = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElseThrow();
        long fromStatm = MemoryBudget.residentBytes();
        assertEquals(fromStatus, fromStatm, 32 << 20, "status " + fromStatus + ", statm " + fromStatm);
    }
}
