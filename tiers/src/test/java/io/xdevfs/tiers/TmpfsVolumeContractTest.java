package io.xdevfs.tiers;

import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The volume contract on storage_type = tmpfs, with its base directory in /dev/shm (a tmpfs). */
class TmpfsVolumeContractTest extends VolumeContract {
    private Path shm;

    @Override
    Path baseDirectory() throws IOException {
        if (shm == null) {
            shm = Files.createTempDirectory(Path.of("/dev/shm"), "xdevfs-contract-");
        }
        return shm.resolve("base");
    }

    @Override
    LocalConfig configure(LocalConfig defaults) {
        return defaults.withStorageType(StorageType.TMPFS);
    }

    @AfterEach
    void removeShm() throws Exception {
        close(); // before the tree goes: a backed-up tmpfs takes its last copy at close
        volume = null;
        try (Stream<Path> all = Files.walk(shm)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
