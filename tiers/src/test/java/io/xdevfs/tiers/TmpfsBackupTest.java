package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.tmpfs.GatedVolume;
import io.xdevfs.tiers.tmpfs.TmpfsBackup;
import io.xdevfs.tiers.tmpfs.TreeCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup_to_disk without a mount: copies are consistent while writers run, and unchanged files are linked. */
class TmpfsBackupTest {
    @TempDir
    Path tmp;

    private static String counter(long i) {
        return String.format("%012d", i);
    }

    /**
     * A writer bumps counter A, then counter B, forever; any consistent copy has A - B in {0, 1}.
     * A copy that did not hold the writer would catch them at different moments, in either order.
     */
    @Test
    void copiesTakenWhileAWriterRunsAreConsistent() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        List<String> notices = new ArrayList<>();
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, notices::add, e -> { });
        for (int i = 0; i < 50; i++) { // bulk that later copies link instead of copying
            Files.writeString(base.resolve("bulk" + i), "x".repeat(10_000));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Content a = gated.create("/a", Flags.O_RDWR, 0644, null);
                 Content b = gated.create("/b", Flags.O_RDWR, 0644, null)) {
                for (long i = 0; !stop.get(); i++) {
                    a.write(ByteBuffer.wrap(counter(i).getBytes(StandardCharsets.US_ASCII)), 0);
                    b.write(ByteBuffer.wrap(counter(i).getBytes(StandardCharsets.US_ASCII)), 0);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        try {
            Thread.sleep(50);
            for (int round = 0; round < 8; round++) {
                TreeCopy.Result r = backup.snapshot();
                Path tree = backups.resolve("current/tree");
                long a = Long.parseLong(Files.readString(tree.resolve("a")));
                long b = Long.parseLong(Files.readString(tree.resolve("b")));
                assertTrue(a - b == 0 || a - b == 1, "copy " + round + ": a = " + a + ", b = " + b);
                if (round > 2) {
                    assertTrue(r.linkedFiles() >= 50, "unchanged files are linked: " + r);
                }
                Thread.sleep(round == 1 ? 1100 : 20); // the bulk's change time ages past the margin
            }
        } finally {
            stop.set(true);
            writer.join();
            backup.close();
            gated.close();
        }
        assertNull(failure.get());
        assertEquals(Files.readString(base.resolve("a")), Files.readString(backups.resolve("current/tree/a")),
                "the copy at close has the last write");
        assertTrue(Files.notExists(backups.resolve("next")));
    }

    /** A FIFO is made, not read (reading one waits for a writer forever); hard links stay links, both ways. */
    @Test
    @org.junit.jupiter.api.Timeout(30)
    void fifosAndHardLinksAreCopiedAsWhatTheyAre() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path backups = tmp.resolve("backups");
        GatedVolume gated = new GatedVolume(Volumes.open(LocalConfig.defaults().withBaseDirectory(base)));
        TmpfsBackup backup = new TmpfsBackup(Posix.get(), base, backups, gated, m -> { }, e -> { });
        try {
            gated.mknod("/fifo", 0010640, 0, null);
            Files.writeString(base.resolve("a"), "linked");
            gated.link("/a", "/b");
            backup.snapshot();
        } finally {
            backup.close();
            gated.close();
        }
        Path tree = backups.resolve("current/tree");
        assertEquals("p", kind(tree.resolve("fifo")));
        assertEquals(Files.getAttribute(tree.resolve("a"), "unix:ino"), Files.getAttribute(tree.resolve("b"), "unix:ino"));
        Path restored = Files.createDirectories(tmp.resolve("restored"));
        TmpfsBackup.restoreIfEmpty(Posix.get(), restored, backups, m -> { });
        assertEquals("p", kind(restored.resolve("fifo")));
        assertEquals(0640, (Integer) Files.getAttribute(restored.resolve("fifo"), "unix:mode",
                java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777);
        assertEquals(Files.getAttribute(restored.resolve("a"), "unix:ino"),
                Files.getAttribute(restored.resolve("b"), "unix:ino"));
    }

    /** "p" for a FIFO, by its file type bits. */
    private static String kind(Path p) throws Exception {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0010000 ? "p" : Integer.toOctalString(mode);
    }
}
