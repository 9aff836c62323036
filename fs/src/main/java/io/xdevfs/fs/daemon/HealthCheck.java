package io.xdevfs.fs.daemon;

import io.xdevfs.posix.FsStat;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.metrics.Metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a mount can do its job now: its backing store takes a synced write, has free space, and no
 * I/O failures happened since the previous check. Each problem is one reason in plain words.
 */
public final class HealthCheck {
    /** Below this much free space (and below 1% of the filesystem) a mount is unhealthy. */
    static final long MIN_FREE_BYTES = 64L << 20;

    public record Verdict(boolean healthy, List<String> reasons) {
        public String json() {
            StringBuilder b = new StringBuilder("{\"healthy\": ").append(healthy).append(", \"reasons\": [");
            for (int i = 0; i < reasons.size(); i++) {
                b.append(i > 0 ? ", " : "").append('"').append(reasons.get(i).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            }
            return b.append("]}\n").toString();
        }
    }

    private final Volume volume;
    private final Metrics metrics;
    private final BackgroundFaults background;
    private long faultsAtLastCheck;
    private long backgroundAtLastCheck;

    HealthCheck(Volume volume, Metrics metrics, BackgroundFaults background) {
        this.volume = volume;
        this.metrics = metrics;
        this.background = background;
        this.faultsAtLastCheck = metrics == null ? 0 : metrics.errors();
        this.backgroundAtLastCheck = background.count();
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    synchronized Verdict run() {
        List<String> reasons = new ArrayList<>();
        try {
            volume.checkWritable();
        } catch (Exception e) {
            reasons.add("backing store does not take writes: " + describe(e));
        }
        try {
            FsStat fs = volume.statfs();
            long unit = fs.fragmentSize() > 0 ? fs.fragmentSize() : fs.blockSize();
            long free = fs.blocksAvailable() * unit;
            long total = fs.blocks() * unit;
            if (free < MIN_FREE_BYTES && free * 100 < total) {
                reasons.add("backing store nearly full: " + free / 1024 + " KiB free of " + total / 1024 + " KiB");
            }
        } catch (Exception e) {
            reasons.add("cannot stat the backing store: " + describe(e));
        }
        if (metrics != null) {
            long faults = metrics.errors();
            if (faults > faultsAtLastCheck) {
                reasons.add((faults - faultsAtLastCheck) + " I/O failures (EIO, ENOSPC, EROFS, EDQUOT) since the "
                        + "previous check");
            }
            faultsAtLastCheck = faults;
        }
        long failed = background.count();
        if (failed > backgroundAtLastCheck) {
            reasons.add((failed - backgroundAtLastCheck) + " failures of the daemon's own work (backups, compaction, "
                    + "migration) since the previous check, the last: " + background.last());
        }
        backgroundAtLastCheck = failed;
        return new Verdict(reasons.isEmpty(), List.copyOf(reasons));
    }
}
