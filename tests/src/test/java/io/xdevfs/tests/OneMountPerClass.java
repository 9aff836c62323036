package io.xdevfs.tests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test classes that share one default mount for all their tests: mounted before the first,
 * unmounted (and required to end cleanly) after the last. Test classes run one after another.
 */
@ExtendWith(NoLeftovers.class)
abstract class OneMountPerClass {
    static Mounted fs;

    @BeforeAll
    static void mount() throws Exception {
        fs = Mounted.start();
    }

    @AfterAll
    static void unmount() throws Exception {
        fs.close();
    }
}
