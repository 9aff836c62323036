package io.xdevfs.tiers.block;

import io.xdevfs.codecs.Codecs;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.VolumeModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A block volume's files (raw, compressed, sparse) driven the way RandomModelIT drives a mount
 * ({@link VolumeModel}), with freed units discarded as by default. No FUSE in between, so a run takes
 * seconds (-Dxdevfs.seed=S replays one). Found a flush releasing a unit that had been reused since,
 * whose discard then wiped the new file's bytes.
 */
class FilesRandomModelTest {
    @TempDir
    Path tmp;

    /**
     * Two writers on files of their own and a third thread that opens any of their files by name, syncs
     * and closes it (a database's checkpointer; a close hands work to the compactor): the files share
     * the device's units and the syncs interleave with everything the writers do.
     */
    @ParameterizedTest
    @EnumSource(value = StorageType.class, names = {"REGULAR", "COMPRESSED", "SPARSE"})
    void concurrentWritersAndSyncsMatchTheirModels(StorageType files) throws Exception {
        run(files, 5_000, VolumeModel::syncs);
    }

    /** The third thread reads the writers' files whole and stats them: no error, and the writers' reads still match. */
    @ParameterizedTest
    @EnumSource(value = StorageType.class, names = {"COMPRESSED"})
    void readersAmongWritersSeeNoErrors(StorageType files) throws Exception {
        run(files, 2_000, VolumeModel::wholeReads);
    }

    private void run(StorageType files, int ops, java.util.function.Function<io.xdevfs.tiers.Volume, VolumeModel.Meddler> third)
            throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        try (BlockVolume v = BlockVolume.open(Posix.get(), config(files, seed), true)) {
            assertTrue(VolumeModel.twoWritersAnd(v, seed, ops, third.apply(v)) > 0, "the third thread's work (seed " + seed + ")");
        }
    }

    private LocalConfig config(StorageType files, long seed) throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device-" + seed + ".img"), 512L << 20); // room for 12 files
        return LocalConfig.defaults()
                .withCompression(new CompressionSettings(Codecs.byName("lz4").orElseThrow(), 1, 512, true, 16 << 10))
                .withBlock(new BlockSettings(device, 0, false, true, 4, files)); // enable_trim on, as by default
    }
}
