package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.DirectoryLock;
import io.xdevfs.tiers.MemoryFilesystems;
import io.xdevfs.tiers.OwnFiles;
import io.xdevfs.tiers.TmpfsSettings;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.VolumeException;
import io.xdevfs.tiers.intentlog.IntentLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What a memory tier does about durability, by its {@code [tmpfs]} settings: nothing (fsync is not
 * durable, said at mount), periodic backups (a reboot loses the changes since the last copy), or
 * backups plus an intent log (fsync is durable; a reboot replays the log onto the last copy).
 */
public final class TmpfsDurability {
    /** What {@link #restore} brought back: the log's last sequence and the replay's figures. */
    public record Recovered(long lastSequence, long records, long nanos) {
        static final Recovered NOTHING = new Recovered(-1, 0, 0);
    }

    /**
     * The backup and log directories are usable (owned, the log's on a persistent filesystem, a copy
     * taken under a log not to be restored without it): before a tmpfs is mounted for the base, so that
     * a mount refused for them leaves none behind. {@code base}: the base directory, the tmpfs mounted
     * on it or not yet.
     */
    public static void check(Posix posix, Path base, TmpfsSettings tmpfs) throws VolumeException {
        if (tmpfs.backupToDisk()) {
            OwnFiles.requireOwnDirectory(tmpfs.backupDirectory(), "backup_directory");
            requireOnDisk(posix, base, tmpfs.backupDirectory(), "backup_directory", "a copy there does not survive the "
                    + "reboot it is for");
            if (!tmpfs.intentLog()) {
                try {
                    requireNoLogBehind(base, tmpfs);
                } catch (IOException e) {
                    throw new VolumeException("cannot read the backup in " + tmpfs.backupDirectory() + ": " + e);
                }
            }
        }
        if (tmpfs.intentLog()) {
            OwnFiles.requireOwnDirectory(tmpfs.intentLogDirectory(), "intent_log_directory");
            requireOnDisk(posix, base, tmpfs.intentLogDirectory(), "intent_log_directory", "the log must be on a "
                    + "persistent disk to make fsync durable");
            try {
                java.nio.file.Files.createDirectories(tmpfs.intentLogDirectory(), OwnFiles.PRIVATE_DIRECTORY);
            } catch (IOException e) {
                throw new VolumeException("intent_log_directory " + tmpfs.intentLogDirectory() + ": " + e);
            }
        }
    }

    /**
     * The backup and log directories for this daemon alone ({@link DirectoryLock}), made if missing:
     * before anything is restored from them. The volume {@link #wrap} returns lets go of them when it
     * closes; until then, the caller does on a failure.
     */
    public static DirectoryLocks lockDirectories(Posix posix, TmpfsSettings tmpfs) throws VolumeException {
        DirectoryLocks locks = new DirectoryLocks();
        try {
            if (tmpfs.backupToDisk()) {
                java.nio.file.Files.createDirectories(tmpfs.backupDirectory());
                locks.add(DirectoryLock.acquire(posix, tmpfs.backupDirectory(), "backup_directory"));
            }
            if (tmpfs.intentLog()) {
                java.nio.file.Files.createDirectories(tmpfs.intentLogDirectory(), OwnFiles.PRIVATE_DIRECTORY);
                locks.add(DirectoryLock.acquire(posix, tmpfs.intentLogDirectory(), "intent_log_directory"));
            }
            return locks;
        } catch (IOException e) {
            locks.close();
            throw new VolumeException("cannot make the directories of [tmpfs]: " + e);
        } catch (VolumeException e) {
            locks.close();
            throw e;
        }
    }

    /**
     * Before the volume opens (its file ids count on from the restored files'): the last copy and the log.
     * The directories were {@link #check}ed before the tmpfs was there.
     */
    public static Recovered restore(Posix posix, Path base, TmpfsSettings tmpfs, Consumer<String> notice)
            throws VolumeException {
        try {
            if (tmpfs.intentLog()) {
                return IntentLogRecovery.recover(posix, base, tmpfs, notice);
            }
            if (tmpfs.backupToDisk()) {
                TmpfsBackup.restoreIfEmpty(posix, base, tmpfs.backupDirectory(), notice);
            }
            return Recovered.NOTHING;
        } catch (IOException e) {
            throw new VolumeException("cannot restore " + base + " from " + tmpfs.backupDirectory()
                    + (tmpfs.intentLog() ? " and the intent log in " + tmpfs.intentLogDirectory() : "") + ": " + e);
        }
    }

    /**
     * A copy taken under an intent log is whole only with the log: the syncs since it are in the log, and
     * the copy may hold some writes of the time it was taken and not others (the log's replay makes it
     * exact). Restored without the log (the key dropped from the configuration), files would come back
     * without those syncs, some mid-write: refused, saying how to go on.
     */
    private static void requireNoLogBehind(Path base, TmpfsSettings tmpfs) throws IOException, VolumeException {
        if (TmpfsBackup.logStart(tmpfs.backupDirectory()) >= 0 && TmpfsBackup.restoreDue(base, tmpfs.backupDirectory())) {
            throw new VolumeException("the backup in " + tmpfs.backupDirectory() + " was taken with an intent log, "
                    + "which holds the syncs made since and makes the copy exact: set intent_log_directory in [tmpfs] "
                    + "to that log's directory to restore it, or delete " + tmpfs.backupDirectory().resolve("current")
                    .resolve(TmpfsBackup.LOG_START) + " to restore the copy alone, without them");
        }
    }

    /**
     * {@code dir} (or, before it exists, the directory it would be made in) is on a persistent
     * filesystem, outside the tmpfs's own directory: a backup or log in memory would make the mount say
     * that what it holds survives a reboot when it does not (/tmp is a tmpfs on many systems).
     */
    private static void requireOnDisk(Posix posix, Path base, Path dir, String key, String why) throws VolumeException {
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.startsWith(base.toAbsolutePath().normalize())) {
            throw new VolumeException(key + " " + dir + " is inside " + base + ", where the tmpfs is mounted: " + why);
        }
        if (java.nio.file.Files.exists(abs) && !java.nio.file.Files.isDirectory(abs)) {
            throw new VolumeException(key + " " + dir + " exists and is not a directory");
        }
        java.util.Optional<String> memory;
        try {
            memory = MemoryFilesystems.holding(posix, abs);
        } catch (PosixException e) {
            throw new VolumeException(key + " " + dir + ": " + e.getMessage());
        }
        if (memory.isPresent()) {
            throw new VolumeException(key + " " + dir + " is on a memory filesystem (" + memory.get() + "): " + why);
        }
    }

    /** The volume over the tmpfs, with the backups and the log its settings ask for. {@code name}: how notices call it. */
    public static Volume wrap(Posix posix, Path dir, Volume volume, TmpfsSettings tmpfs, String name,
                              Recovered recovered, DirectoryLocks locks, Consumer<String> notice,
                              Consumer<Exception> fault) throws VolumeException {
        if (!tmpfs.backupToDisk()) {
            notice.accept(name + ": files live in memory; fsync returns once data is in the tmpfs and "
                    + "does not survive a reboot (set backup_to_disk = true in [tmpfs] for a copy on disk)");
            return volume;
        }
        Consumer<Exception> backupFault = e -> fault.accept(e instanceof IncompleteBackup ? e : new IOException(
                "tmpfs backup to " + tmpfs.backupDirectory() + " failed (the previous copy stays current): " + e, e));
        Gate gate = new Gate();
        if (!tmpfs.intentLog()) {
            notice.accept(name + ": files live in memory; fsync does not survive a reboot; backup_to_disk "
                    + "copies them to " + tmpfs.backupDirectory() + " every " + tmpfs.backupInterval()
                    + " s and at unmount, so a reboot loses at most the changes since the last copy");
            GatedVolume gated = new GatedVolume(volume, gate);
            TmpfsBackup backup = new TmpfsBackup(posix, dir, tmpfs.backupDirectory(), gated, notice, backupFault);
            backup.start(tmpfs.backupInterval());
            return new BackedUpVolume(gated, backup, locks);
        }
        IntentLog log;
        try {
            log = IntentLog.open(posix, tmpfs.intentLogDirectory(), tmpfs.intentLogSegmentSize(), tmpfs.intentLogSize(),
                    recovered.lastSequence());
        } catch (IOException e) {
            throw new VolumeException("cannot open the intent log in " + tmpfs.intentLogDirectory() + ": " + e);
        }
        LoggedVolume logged = new LoggedVolume(volume, gate, log);
        logged.replayed(recovered.records(), recovered.nanos());
        GatedVolume gated = new GatedVolume(logged, gate);
        TmpfsBackup backup = new TmpfsBackup(posix, dir, tmpfs.backupDirectory(), gated, notice, backupFault);
        backup.checkpointing(logged);
        logged.checkpoints(backup);
        try {
            backup.snapshot(); // the log restarts from this copy: nothing from before the mount is needed again
            IntentLogRecovery.finish(tmpfs);
        } catch (IOException e) {
            try {
                logged.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new VolumeException("cannot take the mount's checkpoint of " + dir + " in " + tmpfs.backupDirectory()
                    + ": " + e);
        }
        notice.accept(name + ": files live in memory; fsync is durable: each sync is written to the intent log in "
                + tmpfs.intentLogDirectory() + " (group commit, at most " + (tmpfs.intentLogSize() >> 20)
                + " MiB) before it returns, backups to " + tmpfs.backupDirectory() + " every " + tmpfs.backupInterval()
                + " s checkpoint it, and a reboot replays it onto the last copy");
        backup.start(tmpfs.backupInterval());
        return new BackedUpVolume(gated, backup, locks);
    }

    private TmpfsDurability() {
    }
}
