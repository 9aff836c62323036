package io.xdevfs.tiers.tmpfs;

import io.xdevfs.tiers.ForwardingVolume;

import java.io.IOException;

/**
 * A tmpfs volume with {@code backup_to_disk}: changes pass the backup's gate; closing takes the last copy,
 * then lets go of the backup and log directories.
 */
public final class BackedUpVolume extends ForwardingVolume {
    private final TmpfsBackup backup;
    private final DirectoryLocks locks;

    public BackedUpVolume(GatedVolume gated, TmpfsBackup backup, DirectoryLocks locks) {
        super(gated);
        this.backup = backup;
        this.locks = locks;
    }

    @Override
    public void registerGauges(io.xdevfs.tiers.metrics.Metrics metrics) {
        delegate.registerGauges(metrics);
        backup.registerGauges(metrics);
    }

    TmpfsBackup backup() {
        return backup;
    }

    @Override
    public void close() throws IOException {
        try {
            backup.close();
        } finally {
            try {
                delegate.close();
            } finally {
                locks.close();
            }
        }
    }
}
