package io.xdevfs.tiers.tmpfs;

import io.xdevfs.tiers.ForwardingVolume;

import java.io.IOException;

/** A tmpfs volume with {@code backup_to_disk}: changes pass the backup's gate; closing takes the last copy. */
public final class BackedUpVolume extends ForwardingVolume {
    private final TmpfsBackup backup;

    public BackedUpVolume(GatedVolume gated, TmpfsBackup backup) {
        super(gated);
        this.backup = backup;
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
            delegate.close();
        }
    }
}
