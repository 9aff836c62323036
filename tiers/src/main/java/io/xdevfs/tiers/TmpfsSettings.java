package io.xdevfs.tiers;

import java.nio.file.Path;

/**
 * The {@code [tmpfs]} settings of {@code storage_type = tmpfs} (and of a hybrid's tmpfs tier).
 *
 * @param autoMount          mount a tmpfs on the base directory when none is there
 * @param mountOptions       the tmpfs mount options (size=..., mode=..., noatime), already including
 *                           {@code tmpfs_size}; used only with {@code autoMount}
 * @param backupToDisk       copy the tree to {@code backupDirectory} periodically and at unmount, and
 *                           restore it into an empty tmpfs at mount
 * @param backupInterval     seconds between backups
 * @param backupDirectory    where the copies live (on a disk, not on a tmpfs)
 * @param intentLogDirectory where the intent log that makes fsync durable lives (on a persistent
 *                           filesystem), or null for none; needs {@code backupToDisk} (copies trim it)
 * @param intentLogSize      the log's space bound in bytes
 */
public record TmpfsSettings(boolean autoMount, String mountOptions, boolean backupToDisk, int backupInterval,
                            Path backupDirectory, Path intentLogDirectory, long intentLogSize) {
    public static final Path DEFAULT_BACKUP_DIRECTORY = Path.of("/var/lib/xdevfs/tmpfs-backup");
    public static final long DEFAULT_INTENT_LOG_SIZE = 1L << 30;
    /** The smallest bound: room for eight of the smallest segments. */
    public static final long MIN_INTENT_LOG_SIZE = 32L << 20;

    public static TmpfsSettings defaults() {
        return new TmpfsSettings(false, "", false, 300, DEFAULT_BACKUP_DIRECTORY, null, DEFAULT_INTENT_LOG_SIZE);
    }

    public boolean intentLog() {
        return intentLogDirectory != null;
    }

    /**
     * A sixteenth of the bound, between 4 and 16 MiB: large enough for any record and for few segment
     * switches (each a rename and a directory sync), small enough to recycle often and to zero-fill
     * ahead without a long burst of writeback.
     */
    public long intentLogSegmentSize() {
        return Math.max(4L << 20, Math.min(16L << 20, intentLogSize / 16));
    }
}
