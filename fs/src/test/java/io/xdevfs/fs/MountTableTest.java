package io.xdevfs.fs;

import io.xdevfs.fs.daemon.MountTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountTableTest {
    @Test
    void unescapesOctalSequences() {
        assertEquals("/mnt/with space\\x", MountTable.unescape("/mnt/with\\040space\\134x"));
        assertEquals("/plain", MountTable.unescape("/plain"));
    }

    @Test
    void findsTheRootFilesystemAndNothingOnAPlainDirectory() {
        assertTrue(MountTable.typeAt(Path.of("/")).isPresent());
        assertTrue(MountTable.typeAt(Path.of("/proc")).map("proc"::equals).orElse(false));
        assertTrue(MountTable.typeAt(Path.of("/usr/share")).isEmpty());
    }
}
