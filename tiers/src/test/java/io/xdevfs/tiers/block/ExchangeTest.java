package io.xdevfs.tiers.block;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** renameat2(RENAME_EXCHANGE) on the device: names, parents' link counts and fsck agree afterwards. */
class ExchangeTest {
    @TempDir
    Path tmp;

    @Test
    void exchangingADirectoryAndAFileUnderDifferentParentsLeavesACleanDevice() throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device.img"));
        LocalConfig config = LocalConfig.defaults().withBlock(new BlockSettings(device, 0, true, false, 4, StorageType.REGULAR));
        try (BlockVolume v = BlockVolume.open(Posix.get(), config, true)) {
            v.mkdir("/p", 0755, null);
            v.mkdir("/p/d", 0755, null);
            v.mkdir("/p/d/sub", 0755, null);
            v.mkdir("/q", 0755, null);
            try (Content c = v.create("/q/f", Flags.O_WRONLY, 0644, null)) {
                c.write(ByteBuffer.wrap("file".getBytes()), 0);
            }
            v.rename("/p/d", "/q/f", 2);
            v.rename("/q/f/sub", "/p/d", 2); // and back through the names they have now: a directory into a file's place
            assertEquals(3, v.getattr("/p").nlink, "/p holds the directory sub now");
            assertEquals(3, v.getattr("/q").nlink, "/q holds the directory that was /p/d");
            assertEquals(4, v.getattr("/q/f/sub").size, "the file, under the name of the directory it was exchanged with");
        }
        BlockCheck.Report report = BlockCheck.check(Posix.get(), device, false, true);
        assertEquals(BlockCheck.CLEAN, report.exitCode(), String.join("\n", report.lines()));
    }
}
