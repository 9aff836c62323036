package io.xdevfs.tiers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Tests of one storage type without a mount: a fresh volume over a temporary base directory per test. */
abstract class OneVolumePerTest {
    @TempDir
    Path tmp;
    Volume volume;

    /** The configuration under test, given the defaults over the temporary base directory. */
    abstract LocalConfig configure(LocalConfig defaults);

    @BeforeEach
    void open() throws Exception {
        volume = Volumes.open(configure(LocalConfig.defaults().withBaseDirectory(tmp.resolve("base"))));
    }

    @AfterEach
    void close() throws Exception {
        volume.close();
    }
}
