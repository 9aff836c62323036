package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.directory.OpenFiles;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The placement policy, run by a background thread every {@code migration_interval_sec} (with
 * {@code auto_migration}):
 * <ol>
 *   <li>a hot file that no one has open for writing and that was not written for
 *       {@code cold_timeout_sec} goes cold (a sealed WAL segment);</li>
 *   <li>while the hot tier holds more than its high-water mark, the least recently written hot files
 *       go cold, open or not, until it holds its low-water mark;</li>
 *   <li>while it holds less than its low-water mark, cold files that were opened for reading
 *       {@code hot_access_threshold} times within {@code cold_timeout_sec}, or renamed (PostgreSQL
 *       recycles a segment by renaming it, then rewrites it) come back hot.</li>
 * </ol>
 * At most {@code migration_batch_size} moves per pass, each rate-limited ({@link Mover}).
 */
final class Migrator {
    /** {@code lastNanos}: when the object was last written or arrived in its tier (its ctime, as a move's rename sets it). */
    /** {@code pinned}: to the tier it is in; {@code pinnedAway}: to the other one (its move waited for a handle to close). */
    private record Found(long id, long size, long stored, long lastNanos, boolean pinned, boolean pinnedAway) {
    }

    /** A hot file that goes cold whatever the hot tier's fill, and why. */
    private record Due(Found file, String reason) {
    }

    private final HybridVolume volume;
    private final Mover mover;
    private final HybridSettings settings;
    private final PromotionClaims claims = new PromotionClaims();
    private final Thread thread;
    private volatile boolean stopping;
    private int lastPassMoved;
    private volatile long hotFiles;
    private volatile long hotBytes;
    private volatile long hotStored;

    private final java.util.function.Consumer<Exception> faults;

    private final Posix posix;

    Migrator(HybridVolume volume, Mover mover, HybridSettings settings, Posix posix,
             java.util.function.Consumer<Exception> faults) {
        this.volume = volume;
        this.posix = posix;
        this.faults = faults;
        this.mover = mover;
        this.settings = settings;
        this.thread = new Thread(this::run, "xdevfs-migrator");
        thread.setDaemon(true);
    }

    void start() {
        if (settings.autoMigration()) {
            thread.start();
        }
    }

    void stop() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Nice 19 for the background passes. */
    static final int BACKGROUND_NICE = 19;

    /** Whether this thread is in the SCHED_IDLE class now; null until first set. */
    private Boolean idleClass;

    /**
     * Gentle moves (by age, promotions) run in the SCHED_IDLE class: their compression then only uses CPU
     * time no writer, FUSE thread or sync wants, and a woken one preempts it at once (nice 19 alone
     * still lets a copy finish its slice first). Moves that make room above the high-water mark must
     * not starve behind a busy CPU: they run at nice 19 in the normal class.
     */
    private void idleScheduling(boolean idle) {
        if (idleClass != null && idleClass == idle) {
            return;
        }
        try {
            posix.setThreadIdleScheduling(idle);
            idleClass = idle;
        } catch (PosixException e) {
            idleClass = idle; // not again for every move; nice 19 still applies
            faults.accept(new IOException("hybrid migrator: could not set its scheduling class (moves compete with "
                    + "the writers for CPU at nice 19): " + e.getMessage(), e));
        }
    }

    private void run() {
        try {
            // Moves compress and copy on the cores the writers' syncs are served on: at nice 19 a woken FUSE
            // thread preempts a copy at once instead of queueing behind it for a scheduler slice.
            posix.setThreadNice(BACKGROUND_NICE);
        } catch (PosixException e) {
            faults.accept(new IOException("hybrid migrator: could not lower its CPU priority (moves compete with "
                    + "the writers for CPU): " + e.getMessage(), e));
        }
        while (!stopping) {
            try {
                if (hotStored <= settings.highWater() || lastPassMoved == 0) {
                    TimeUnit.SECONDS.sleep(settings.migrationIntervalSec()); // else: still above, the next pass now
                }
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
            }
            try {
                lastPassMoved = pass();
            } catch (IOException | RuntimeException e) {
                if (!stopping) {
                    faults.accept(new IOException("hybrid migration pass failed (files stay where they are): " + e, e));
                }
            }
        }
    }

    /** A cold file was opened for reading: the {@code hot_access_threshold}-th time in a window promotes it. */
    void readCold(long id) {
        int threshold = settings.hotAccessThreshold();
        if (threshold <= 0) {
            return;
        }
        claims.read(id, System.nanoTime(), TimeUnit.SECONDS.toNanos(settings.coldTimeoutSec()), threshold);
    }

    /** A renamed file counts as new: if it is cold, it comes back hot when there is room. */
    void renamed(long id) {
        claims.renamed(id);
    }

    /** The file is gone: nothing about it is kept. */
    void forget(long id) {
        claims.forget(id);
    }

    /** One pass of the policy; returns the files moved. */
    synchronized int pass() throws IOException {
        // The hot tier is bounded in bytes, not in files: a pass keeps only the candidates it may move
        // (at most migration_batch_size per rule, the oldest), never a record per hot file.
        int batch = Math.max(1, settings.migrationBatchSize());
        long now = System.currentTimeMillis() * 1_000_000L;
        long timeout = TimeUnit.SECONDS.toNanos(settings.coldTimeoutSec());
        String sealed = "not written for " + settings.coldTimeoutSec() + " s";
        OldestFirst<Due> due = new OldestFirst<>(batch, d -> d.file.lastNanos); // rule 1: pinned cold, or sealed
        OldestFirst<Found> others = new OldestFirst<>(batch, Found::lastNanos); // rule 2's candidates
        long[] hot = new long[4]; // files, bytes, stored, stored of every file rule 1 moves
        scan(Tier.HOT, true, f -> {
            hot[0]++;
            hot[1] += f.size;
            hot[2] += f.stored;
            String reason = f.pinnedAway && !openForWriting(f.id) ? "pinned cold"
                    : !f.pinned && now - f.lastNanos >= timeout && !openForWriting(f.id) ? sealed : null;
            if (reason != null) {
                hot[3] += f.stored;
                due.offer(new Due(f, reason));
            } else if (!f.pinned) {
                others.offer(f);
            }
        });
        countCold();
        long usage = hot[2];
        hotFiles = hot[0];
        hotBytes = hot[1];
        hotStored = usage;

        Map<Found, String> toCold = new java.util.LinkedHashMap<>();
        for (Due d : due.oldestFirst()) {
            toCold.put(d.file, d.reason);
        }
        long left = usage - hot[3];
        for (Found f : others.oldestFirst()) {
            if (usage <= settings.highWater() || left <= settings.lowWater()) {
                break;
            }
            toCold.put(f, "hot tier above its high-water mark");
            left -= f.stored;
        }
        int moved = 0;
        int budget = settings.migrationBatchSize();
        for (Map.Entry<Found, String> m : toCold.entrySet()) {
            if (budget-- <= 0 || stopping) {
                break;
            }
            long id = m.getKey().id;
            claims.forget(id);
            // Above the high-water mark every demotion makes room, and room cannot wait for quiet.
            Mover.Pace pace = usage > settings.highWater() ? Mover.Pace.RATE : Mover.Pace.GENTLE;
            idleScheduling(pace == Mover.Pace.GENTLE);
            if (mover.move(id, Tier.COLD, m.getValue(), pace) == Mover.Outcome.MOVED) {
                moved++;
                usage -= m.getKey().stored;
            }
            hotStored = usage;
        }
        List<Long> promotions = usage < settings.lowWater() ? claims.take(Math.max(0, budget)) : List.of();
        for (long id : promotions) {
            if (stopping) {
                break;
            }
            if (!promotable(id)) {
                continue;
            }
            idleScheduling(true);
            if (mover.move(id, Tier.HOT, "renamed or read often", Mover.Pace.GENTLE) == Mover.Outcome.MOVED) {
                moved++;
            }
        }
        claims.expireReads(System.nanoTime(), timeout);
        return moved;
    }

    /** The cold tier's gauges: each file's bytes when a full count is due, else its names only ({@link ColdCount}). */
    private void countCold() throws IOException {
        ColdCount count = volume.coldCount;
        long[] cold = new long[3]; // files, bytes, stored: counted as listed, none kept
        if (count.fullCountDue()) {
            scan(Tier.COLD, false, f -> {
                cold[0]++;
                cold[1] += f.size;
                cold[2] += f.stored;
            });
            count.counted(cold[0], cold[1], cold[2]);
        } else {
            Listings.each(volume.tier(Tier.COLD), "/", e -> {
                if (ObjectNames.idOf(e.name()) != -1) {
                    cold[0]++;
                }
            });
            count.listed(cold[0]);
        }
    }

    /**
     * Whether a queued file is cold and not pinned there. Every renamed file is queued, hot ones too (a
     * PostgreSQL segment is made under a temporary name and renamed into place), and a queued file may
     * be unlinked before the pass: neither has a cold object, and neither stops the promotions after it.
     */
    private boolean promotable(long id) throws IOException {
        try {
            return Pins.of(volume.tier(Tier.COLD), ObjectNames.of(id)) != Tier.COLD;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    private boolean openForWriting(long id) {
        OpenFiles.Entry entry = volume.files().peek(id);
        FileState s = entry == null ? null : entry.state();
        return s != null && s.writers.get() > 0;
    }

    /**
     * Hands the tier's objects to {@code each} as its listing reads them, none kept here;
     * {@code pins}: read whether each is pinned there (else reported unpinned).
     */
    private void scan(Tier tier, boolean pins, java.util.function.Consumer<Found> each) throws IOException {
        Volume v = volume.tier(tier);
        Listings.each(v, "/", e -> {
            long id = ObjectNames.idOf(e.name());
            Found f = id == -1 ? null : found(v, tier, pins, id, "/" + e.name());
            if (f != null) {
                each.accept(f);
            }
        });
    }

    /** The object {@code name} of {@code tier}, or null if it went meanwhile. */
    private static Found found(Volume v, Tier tier, boolean pins, long id, String name) throws IOException {
        try {
            Stat st = v.getattr(name);
            Tier pin = pins ? Pins.of(v, name) : null;
            return new Found(id, st.size, st.blocks * 512, Math.max(st.mtimeSec * 1_000_000_000L + st.mtimeNsec,
                    st.ctimeSec * 1_000_000_000L + st.ctimeNsec), pin == tier, pin != null && pin != tier);
        } catch (PosixException gone) {
            if (gone.errno() != Errno.ENOENT) {
                throw gone;
            }
            return null;
        }
    }

    void registerGauges(Metrics metrics) {
        metrics.gauge("hybrid_hot_files", () -> hotFiles);
        metrics.gauge("hybrid_hot_bytes", () -> hotBytes);
        metrics.gauge("hybrid_hot_stored_bytes", () -> hotStored);
        metrics.gauge("hybrid_hot_high_water_bytes", settings::highWater);
        metrics.gauge("hybrid_hot_low_water_bytes", settings::lowWater);
        metrics.gauge("hybrid_cold_files", volume.coldCount::files);
        metrics.gauge("hybrid_cold_bytes", volume.coldCount::bytes);
        metrics.gauge("hybrid_cold_stored_bytes", volume.coldCount::stored);
        metrics.gauge("hybrid_promotions_queued", claims::queued);
        metrics.gauge("hybrid_promotion_claims_dropped_total", claims::dropped);
    }
}
