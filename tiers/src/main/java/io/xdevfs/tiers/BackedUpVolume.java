package io.xdevfs.tiers;

import java.io.IOException;

/** A tmpfs volume with {@code backup_to_disk}: changes pass the backup's gate; closing takes the last copy. */
final class BackedUpVolume extends ForwardingVolume {
    private final TmpfsBackup backup;

    BackedUpVolume(GatedVolume gated, TmpfsBackup backup) {
        super(gated);
        this.backup = backup;
    }

    @Override
    public void close() throws IOException {
        try {
            backup.close();
        } finally {
            delegate.close();
        }
    }
}
