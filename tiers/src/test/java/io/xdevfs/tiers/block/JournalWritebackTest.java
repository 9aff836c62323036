package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.ForwardingPosix;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write to a file that syncs starts its journal frame toward the device at once (so the sync after it
 * only flushes); a file never synced leaves its frames to the next sync.
 */
class JournalWritebackTest {
    @TempDir
    Path tmp;

    /** Records the ranges of startWriteback calls. */
    private static final class Recording extends ForwardingPosix {
        final List<long[]> ranges = new ArrayList<>();
        int fsyncs;

        Recording() {
            super(Posix.get());
        }

        @Override
        public synchronized void startWriteback(int fd, long offset, long length) throws PosixException {
            ranges.add(new long[] {offset, length});
            super.startWriteback(fd, offset, length);
        }

        @Override
        public synchronized void fsync(int fd, boolean dataOnly) throws PosixException {
            fsyncs++;
            super.fsync(fd, dataOnly);
        }
    }

    private Path device() throws Exception {
        return BlockImages.formatted(tmp.resolve("device.img"));
    }

    private static LocalConfig config(Path device) {
        return LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4));
    }

    /** An O_DSYNC write is flushed by the daemon and then fsync'd by the kernel: the second finds nothing new. */
    @Test
    void aSyncWithNothingWrittenSinceTheLastFlushDoesNotFlushAgain() throws Exception {
        Recording posix = new Recording();
        ByteBuffer record = ByteBuffer.allocate(8192);
        try (Volume v = BlockVolume.open(posix, config(device()), true);
             Content wal = v.create("/wal", Flags.O_RDWR, 0644, null)) {
            wal.write(record.clear(), 0);
            int before = posix.fsyncs;
            wal.sync(true);
            assertEquals(before + 1, posix.fsyncs);
            wal.sync(true);
            wal.sync(true);
            assertEquals(before + 1, posix.fsyncs, "nothing new: no flush");
            wal.write(record.clear(), 8192);
            wal.sync(true);
            assertEquals(before + 2, posix.fsyncs, "a write since: a flush");
        }
    }

    @Test
    void writesOfASyncingFileStartTheirJournalFrames() throws Exception {
        Path device = device();
        Recording posix = new Recording();
        LocalConfig config = config(device);
        ByteBuffer record = ByteBuffer.allocate(8192);
        try (Volume v = BlockVolume.open(posix, config, true)) {
            try (Content quiet = v.create("/quiet", Flags.O_RDWR, 0644, null)) {
                quiet.write(record.clear(), 0);
                quiet.write(record.clear(), 8192);
            }
            assertEquals(0, posix.ranges.size(), "a file that never synced starts no writeback");
            try (Content wal = v.create("/wal", Flags.O_RDWR, 0644, null)) {
                wal.write(record.clear(), 0);
                assertEquals(0, posix.ranges.size());
                wal.sync(true);
                for (int i = 1; i <= 3; i++) {
                    wal.write(record.clear(), i * 8192L);
                    assertEquals(i, posix.ranges.size(), "each append after a sync starts its frame");
                    wal.sync(true);
                }
            }
        }
        Geometry g;
        try (Device d = Device.open(Posix.get(), device, false, 4, true)) {
            g = Superblock.newest(MetaStore.readSuperblocks(d)[0], MetaStore.readSuperblocks(d)[1]).orElseThrow()
                    .geometry();
        }
        long previousEnd = 0;
        for (long[] r : posix.ranges) {
            assertEquals(0, r[0] % Geometry.BLOCK, "whole pages");
            assertTrue(r[1] > 0);
            assertTrue(r[0] >= g.journalOffset() && r[0] + r[1] <= g.journalOffset() + g.journalBytes(),
                    "inside the journal");
            assertTrue(r[0] + r[1] > previousEnd, "each call covers a frame the one before did not");
            previousEnd = r[0] + r[1];
        }
    }
}
