package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.OwnFiles;
import io.xdevfs.tiers.TmpfsSettings;
import io.xdevfs.tiers.intentlog.LogReader;
import io.xdevfs.tiers.intentlog.Replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Brings a memory tier with an intent log back at mount, before the volume opens:
 * <ul>
 * <li>an empty tmpfs (a reboot, or the tmpfs was unmounted) gets its last copy restored and the log
 *     replayed onto it, so every acknowledged sync is there again;</li>
 * <li>a tmpfs that outlived the daemon holds every change already: nothing is replayed;</li>
 * <li>a replay that was interrupted (the marker {@value #MARKER} in the log directory) is started
 *     again from the copy: the half-replayed tree is emptied first.</li>
 * </ul>
 * Either way the mount then takes a checkpoint before serving ({@link #finish} after it), so the log
 * restarts empty and never mixes records from before and after a restart.
 */
final class IntentLogRecovery {
    static final String MARKER = "replaying";

    static TmpfsDurability.Recovered recover(Posix posix, Path base, TmpfsSettings tmpfs, Consumer<String> notice) throws IOException {
        Path logDir = tmpfs.intentLogDirectory();
        Files.createDirectories(logDir, OwnFiles.PRIVATE_DIRECTORY);
        Path marker = logDir.resolve(MARKER);
        if (Files.exists(marker)) {
            notice.accept("an earlier replay of the intent log in " + logDir + " was interrupted: emptying " + base
                    + " and replaying again from the last copy");
            TreeCopy.deleteContents(base);
        } else if (!isEmpty(base)) {
            notice.accept("tmpfs " + base + " outlived the last daemon and holds every change: no intent log replay");
            return TmpfsDurability.Recovered.NOTHING;
        }
        long start = System.nanoTime();
        if (!Files.exists(marker)) {
            Files.createFile(marker, OwnFiles.PRIVATE_FILE);
            TmpfsBackup.syncPath(logDir);
        }
        TmpfsBackup.restoreIfEmpty(posix, base, tmpfs.backupDirectory(), notice);
        long first = TmpfsBackup.logStart(tmpfs.backupDirectory());
        // No log-start: the copy was taken before the log was configured (or there is none): all of it.
        Replay.Result r = Replay.run(posix, base, logDir, first >= 0 ? first : LogReader.firstSegment(logDir));
        long nanos = System.nanoTime() - start;
        notice.accept("replayed " + r.records() + " intent log records from " + logDir + " into " + base + " in "
                + nanos / 1_000_000 + " ms" + (r.skipped() > 0 ? " (" + r.skipped() + " skipped: " + r.problems() + ")"
                : ""));
        return new TmpfsDurability.Recovered(r.lastSequence(), r.records(), nanos);
    }

    /** After the mount's checkpoint: the copy holds the replayed tree, a crash from now on needs no redo. */
    static void finish(TmpfsSettings tmpfs) throws IOException {
        Files.deleteIfExists(tmpfs.intentLogDirectory().resolve(MARKER));
        TmpfsBackup.syncPath(tmpfs.intentLogDirectory());
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private IntentLogRecovery() {
    }
}
