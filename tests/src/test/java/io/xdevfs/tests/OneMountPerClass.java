package io.xdevfs.tests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

/**
 * Test classes that share one mount for all their tests: mounted before the first, unmounted (and
 * required to end cleanly) after the last. Test classes run one after another. The mount uses the
 * default configuration, or the {@link MountLines} of the concrete test class.
 */
@ExtendWith(NoLeftovers.class)
abstract class OneMountPerClass {
    static Mounted fs;
    /** The base directory holds each file's bytes as they are (false for compressed, and for hybrid: names only). */
    static boolean rawBacking;
    /**
     * Files behave as their backing file does (fallocate, SEEK_HOLE): raw types, a block volume's files
     * unless stored compressed, and a hybrid whose hot tier, where the suites' fresh files are, is one.
     */
    static boolean rawFormat;
    /** storage_type = block: no base directory; files on a device in xdevfs's own layout. */
    static boolean ownDevice;
    /** A hybrid with a block tier: statfs adds the device's figures to the base directory's filesystem's. */
    static boolean deviceTier;

    @BeforeAll
    static void mount(TestInfo info) throws Exception {
        MountLines lines = info.getTestClass().orElseThrow().getAnnotation(MountLines.class);
        List<String> config = lines == null ? List.of() : List.of(lines.value());
        io.xdevfs.tiers.StorageType type = config.stream().filter(l -> l.startsWith("storage_type = "))
                .map(l -> io.xdevfs.tiers.StorageType.byName(l.substring("storage_type = ".length()).strip()).orElseThrow())
                .findFirst().orElse(io.xdevfs.tiers.StorageType.REGULAR);
        rawBacking = type.onDiskFormat().equals("raw"); // the storage type's own answer, not a config string
        io.xdevfs.tiers.StorageType behaves = type != io.xdevfs.tiers.StorageType.HYBRID ? type : config.stream()
                .filter(l -> l.startsWith("hot_storage_type = "))
                .map(l -> io.xdevfs.tiers.StorageType.byName(l.substring("hot_storage_type = ".length()).strip()).orElseThrow())
                .findFirst().orElse(io.xdevfs.tiers.StorageType.TMPFS);
        if (behaves == io.xdevfs.tiers.StorageType.BLOCK) { // its files' format: raw (sparse too) or compressed
            behaves = config.contains("enable_compression = true") ? io.xdevfs.tiers.StorageType.COMPRESSED
                    : io.xdevfs.tiers.StorageType.REGULAR;
        }
        rawFormat = behaves.onDiskFormat().equals("raw");
        ownDevice = type == io.xdevfs.tiers.StorageType.BLOCK;
        deviceTier = config.contains("cold_storage_type = block") || config.contains("hot_storage_type = block");

        fs = Mounted.start(config, lines == null ? new String[0] : lines.args());
    }

    @AfterAll
    static void unmount() throws Exception {
        fs.close();
    }
}
