package io.xdevfs.tiers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A type that keeps its files on disk, mounted over a directory in memory, says at mount that fsync survives no reboot there. */
class MemoryBaseNoticeTest {
    @TempDir
    Path disk;
    private Path shm;
    private final List<String> notices = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Volumes.onNotice(m -> { });
        if (shm != null) {
            try (Stream<Path> all = Files.walk(shm)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aBaseInMemoryIsSaidToBeSoAndOneOnDiskIsNot() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm");
        shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-notice-");
        Volumes.onNotice(notices::add);
        for (StorageType type : List.of(StorageType.REGULAR, StorageType.COMPRESSED)) {
            Volumes.open(LocalConfig.defaults().withBaseDirectory(shm.resolve(type.configName())).withStorageType(type))
                    .close();
        }
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(0).startsWith("storage_type = regular over " + shm.resolve("regular") + ", which is on a "
                + "memory filesystem: fsync returns once the bytes are in memory, and nothing there survives a reboot"),
                notices.get(0));
        assertTrue(notices.get(1).startsWith("storage_type = compressed over "), notices.get(1));
        notices.clear();
        Volumes.open(LocalConfig.defaults().withBaseDirectory(disk.resolve("base"))).close();
        assertEquals(List.of(), notices);
    }
}
