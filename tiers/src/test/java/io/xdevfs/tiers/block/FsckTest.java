package io.xdevfs.tiers.block;

import io.xdevfs.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fsck finds each kind of damage it claims to, repairs what it says it repairs, and exits as e2fsck does. */
class FsckTest {
    @TempDir
    Path tmp;

    @Test
    void findsAndRepairsNamesLinkCountsAndLeaks() throws Exception {
        Path image = BlockImages.formatted(tmp.resolve("device.img"));
        assertEquals(BlockCheck.CLEAN, BlockCheck.check(Posix.get(), image, false, true).exitCode());
        try (Device device = Device.open(Posix.get(), image, false, 4, true)) {
            MetaStore store = MetaStore.load(device, null, new MetaStore.Replay());
            store.state.goLive();
            long t = 1;
            store.commit(List.of(
                    new Change.Attributes(10, 0100644, 0, 0, 3, 0, 0, t, 0, t, 0, t, 0, ""), // one name, says 3
                    new Change.Entry(MetaState.ROOT, "miscounted", 10),
                    new Change.Entry(MetaState.ROOT, "dangling", 99),
                    new Change.Attributes(11, 0100644, 0, 0, 1, 0, 0, t, 0, t, 0, t, 0, ""), // no name at all
                    new Change.Unit(11, 0, 2)));
            store.checkpoint();
        }
        BlockCheck.Report found = BlockCheck.check(Posix.get(), image, false, true);
        assertEquals(BlockCheck.UNCORRECTED, found.exitCode(), found.lines().toString());
        String text = String.join("\n", found.lines());
        assertTrue(text.contains("name 'dangling' points to missing inode 99"), text);
        assertTrue(text.contains("inode 10: link count 3, should be 1"), text);
        assertTrue(text.contains("inode 11 has no name: leaked 1 unit(s)"), text);
        BlockCheck.Report repaired = BlockCheck.check(Posix.get(), image, true, true);
        assertEquals(BlockCheck.CORRECTED, repaired.exitCode(), repaired.lines().toString());
        BlockCheck.Report after = BlockCheck.check(Posix.get(), image, false, true);
        assertEquals(BlockCheck.CLEAN, after.exitCode(), after.lines().toString());
    }

    @Test
    void aDeviceWithoutAVolumeIsAnOperationalError() throws Exception {
        Path image = tmp.resolve("blank.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        BlockCheck.Report r = BlockCheck.check(Posix.get(), image, false, true);
        assertEquals(BlockCheck.OPERATIONAL, r.exitCode());
        assertTrue(r.lines().get(0).contains("no valid xdevfs superblock"), r.lines().toString());
    }
}
