package io.xdevfs.tiers;

import java.nio.file.Path;

/**
 * The {@code [tmpfs]} settings of {@code storage_type = tmpfs}.
 *
 * @param autoMount       mount a tmpfs on the base directory when none is there
 * @param mountOptions    the tmpfs mount options (size=..., mode=..., noatime), already including
 *                        {@code tmpfs_size}; used only with {@code autoMount}
 * @param backupToDisk    copy the tree to {@code backupDirectory} periodically and at unmount, and
 *                        restore it into an empty tmpfs at mount
 * @param backupInterval  seconds between backups
 * @param backupDirectory where the copies live (on a disk, not on a tmpfs)
 */
public record TmpfsSettings(boolean autoMount, String mountOptions, boolean backupToDisk, int backupInterval,
                            Path backupDirectory) {
    public static final Path DEFAULT_BACKUP_DIRECTORY = Path.of("/var/lib/xdevfs/tmpfs-backup");

    public static TmpfsSettings defaults() {
        return new TmpfsSettings(false, "", false, 300, DEFAULT_BACKUP_DIRECTORY);
    }
}
