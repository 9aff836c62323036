package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.OwnFiles;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code backup_to_disk}: a consistent copy of a tmpfs base directory on disk, taken every
 * {@code backup_interval_sec} and at unmount, restored into an empty tmpfs at mount.
 *
 * <p>Layout: {@code <backup_directory>/current/{tree/, started}}. A new copy is built in {@code next},
 * synced, and exchanged with {@code current} in one renameat2(RENAME_EXCHANGE), so a crash at any point
 * leaves a complete {@code current}. Without an intent log, changes through the mount wait while the
 * tree is copied ({@link Gate#quiesced}); with one, only changes of names wait, and only while the copy
 * reads the names and opens the files it copies ({@link Gate#namesStill}, {@link TreeCopy#walk}).
 * Files unchanged since the last copy are hard-linked from it, so the pause is proportional to what
 * changed. Syncing happens after the pause.
 */
public final class TmpfsBackup implements Closeable {
    /**
     * An intent log the copies make unnecessary: {@link #cut} runs with the names held still, before the
     * copy reads anything, and returns the first log segment the copy may not hold; once the copy is
     * current, {@link #checkpointed} lets the log drop the segments before it. The copy records that
     * segment ({@value #LOG_START}), where a replay after a reboot starts. Bytes go on changing while
     * such a copy reads them, so a file's copy may hold some writes of that time and not others: the
     * records from the cut on replay every one that was synced, and unsynced writes may be lost by a
     * crash either way.
     */
    public interface Checkpointed {
        /**
         * What a cut gives its copy: the first segment the copy may not hold, and what each file's bytes
         * did since the current copy began reading ({@link TreeCopy#patching}; null: copy changed files whole).
         */
        record Cut(long logStart, java.util.Map<Long, CutChanges.OfFile> changes) {
        }

        Cut cut();

        void checkpointed(long firstNeeded);

        /** The copy after the last cut did not become current. */
        void notCheckpointed();
    }

    static final String LOG_START = "log-start";


    private final Posix posix;
    private final Path base;
    private final Path dir;
    private final Gate gate;
    private final Consumer<String> notice;
    private final Consumer<Exception> fault;
    private volatile Checkpointed log;
    /** System.nanoTime() when the current copy's changes (or, under a log, its names) were held still and the log cut (guarded by this). */
    private long lastQuiescedAt = System.nanoTime() - (1L << 62);
    private final java.util.concurrent.atomic.AtomicBoolean requested = new java.util.concurrent.atomic.AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-tmpfs-backup");
        t.setDaemon(true);
        return t;
    });

    /** After a failed copy, requested ones and syncs wait this long for the next try, doubling up to the most. */
    private static final long FIRST_BACKOFF_NANOS = 1_000_000_000L;
    private static final long MAX_BACKOFF_NANOS = 30_000_000_000L;
    /**
     * The last copy's failure (null after a success), and when to try again: written by the copy (under
     * this object's monitor), read without it, since a request must not wait for a copy under way.
     */
    private volatile IOException lastFailure;
    private volatile long retryAt;
    /** Guarded by this. */
    private long backoffNanos;
    /** What the copies did, for the stats: written under this object's monitor, read without it. */
    private volatile long copies;
    private volatile long lastNanos;
    private volatile long maxNanos;
    private volatile long maxHeldNanos;
    private volatile TreeCopy.Result last;

    public TmpfsBackup(Posix posix, Path base, Path backupDirectory, GatedVolume gated, Consumer<String> notice,
                Consumer<Exception> fault) {
        this.posix = posix;
        this.base = base;
        this.dir = backupDirectory;
        this.gate = gated.gate();
        this.notice = notice;
        this.fault = fault;
    }

    /** Copies from now on also checkpoint {@code log}. */
    void checkpointing(Checkpointed log) {
        this.log = log;
    }

    /**
     * Asks for a copy soon, in the background (a filling intent log); one request at a time, and none
     * while backing off after a failed copy: every sync of a filling log asks, and on a full disk each
     * try copied until the disk refused, hundreds of times a second.
     */
    void request() {
        if (backingOff()) {
            return;
        }
        if (requested.compareAndSet(false, true)) {
            timer.execute(() -> {
                try {
                    snapshot();
                } catch (IOException | RuntimeException e) {
                    fault.accept(e);
                } finally {
                    requested.set(false);
                }
            });
        }
    }

    /** Returns once a copy whose quiesced moment came at or after {@code nanoTime} is current, taking one if needed. */
    synchronized void checkpointSince(long nanoTime) throws IOException {
        if (lastQuiescedAt - nanoTime < 0) {
            if (backingOff()) {
                throw new IOException("the last copy to " + dir + " failed less than " + backoffNanos / 1_000_000_000L
                        + " s ago: " + lastFailure.getMessage(), lastFailure);
            }
            snapshot();
        }
    }

    /** Whether a copy failed and the back-off after it has not run out (the periodic copy tries anyway). */
    private boolean backingOff() {
        return lastFailure != null && System.nanoTime() - retryAt < 0;
    }

    /** Copies the tree now; the previous copy stays current until this one is complete and synced. */
    public synchronized TreeCopy.Result snapshot() throws IOException {
        try {
            long began = System.nanoTime();
            TreeCopy.Result r = copyNow();
            lastNanos = System.nanoTime() - began;
            maxNanos = Math.max(maxNanos, lastNanos);
            last = r;
            copies++;
            lastFailure = null;
            backoffNanos = 0;
            if (r.attributesLeftOut() > 0) { // the copy stands; saying what it lacks makes health say so too
                fault.accept(new IncompleteBackup("tmpfs backup to " + dir + " left out " + r.attributesLeftOut()
                        + " extended attribute(s) that its filesystem cannot hold (" + r.leftOutExample()
                        + "): after a reboot those files come back without them"));
            }
            return r;
        } catch (IOException | RuntimeException e) {
            backoffNanos = Math.min(MAX_BACKOFF_NANOS, Math.max(FIRST_BACKOFF_NANOS, 2 * backoffNanos));
            retryAt = System.nanoTime() + backoffNanos;
            lastFailure = e instanceof IOException io ? io : new IOException(e); // after retryAt: a reader seeing it sees that
            throw e;
        }
    }

    /**
     * The copies' figures: how many, how long each took (the copy, its syncs and the exchange), how long
     * changes waited for one at most (with an intent log only changes of names wait), and what the last
     * one wrote and patched.
     */
    void registerGauges(io.xdevfs.tiers.metrics.Metrics metrics) {
        metrics.gauge("tmpfs_backups_total", () -> copies);
        metrics.gauge("tmpfs_backup_seconds_last", () -> lastNanos / 1e9);
        metrics.gauge("tmpfs_backup_seconds_max", () -> maxNanos / 1e9);
        metrics.gauge("tmpfs_backup_hold_seconds_max", () -> maxHeldNanos / 1e9);
        metrics.gauge("tmpfs_backup_bytes_copied_last", () -> last == null ? 0 : last.copiedBytes());
        metrics.gauge("tmpfs_backup_files_patched_last", () -> last == null ? 0 : last.patchedFiles());
    }

    public void start(int intervalSeconds) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                snapshot();
            } catch (IOException | RuntimeException e) {
                fault.accept(e);
            }
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    private TreeCopy.Result copyNow() throws IOException {
        Checkpointed checkpointed = log;
        try {
            return copyNow(checkpointed);
        } catch (IOException | RuntimeException | Error e) {
            if (checkpointed != null) {
                checkpointed.notCheckpointed(); // also when it failed before its cut: nothing was handed over then
            }
            throw e;
        }
    }

    private TreeCopy.Result copyNow(Checkpointed checkpointed) throws IOException {
        Path current = dir.resolve("current");
        Path next = dir.resolve("next");
        Files.createDirectories(dir);
        TreeCopy.deleteTree(next); // a copy a crash interrupted
        Files.createDirectory(next, OwnFiles.PRIVATE_DIRECTORY); // the copy holds every file's bytes
        boolean havePrevious = Files.isDirectory(current.resolve("tree"));
        TreeCopy copy = new TreeCopy(posix, havePrevious ? current.resolve("tree") : null,
                havePrevious ? Long.parseLong(Files.readString(current.resolve("started")).strip()) : 0);
        long started = System.currentTimeMillis();
        long[] logStart = {-1};
        long quiescedAt;
        long heldUntil;
        TreeCopy.Result result;
        if (checkpointed == null) { // one moment of the tree: every change waits for the whole copy
            quiescedAt = System.nanoTime();
            result = gate.quiesced(() -> copy.copy(base, next.resolve("tree")));
            heldUntil = System.nanoTime();
        } else { // names wait for the walk; the bytes it found change under it, and the log replays them
            long[] at = {0};
            gate.namesStill(() -> {
                at[0] = System.nanoTime();
                Checkpointed.Cut cut = checkpointed.cut(); // first: the copy then reads every byte written before it
                logStart[0] = cut.logStart();
                copy.patching(cut.changes()).walk(base, next.resolve("tree"));
                return null;
            });
            quiescedAt = at[0];
            heldUntil = System.nanoTime();
            result = copy.finish();
        }
        maxHeldNanos = Math.max(maxHeldNanos, heldUntil - quiescedAt);
        copy.syncAll();
        OwnFiles.writeString(next.resolve("started"), Long.toString(started), OwnFiles.PRIVATE_FILE);
        syncPath(next.resolve("started"));
        if (checkpointed != null) {
            OwnFiles.writeString(next.resolve(LOG_START), Long.toString(logStart[0]), OwnFiles.PRIVATE_FILE);
            syncPath(next.resolve(LOG_START));
        }
        syncPath(next);
        if (havePrevious) {
            posix.renameat2(Flags.AT_FDCWD, io.xdevfs.posix.Names.of(next), Flags.AT_FDCWD, io.xdevfs.posix.Names.of(current), Flags.RENAME_EXCHANGE);
            syncPath(dir);
            TreeCopy.deleteTree(next);
        } else {
            Files.move(next, current, StandardCopyOption.ATOMIC_MOVE);
        }
        syncPath(dir);
        lastQuiescedAt = quiescedAt;
        if (checkpointed != null) {
            checkpointed.checkpointed(logStart[0]);
        }
        return result;
    }

    static void syncPath(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * The first intent-log segment the current copy does not hold: where a replay onto it starts. -1
     * when there is no copy or it was taken without a log (then the whole log is replayed).
     */
    static long logStart(Path backupDirectory) throws IOException {
        Path p = backupDirectory.resolve("current").resolve(LOG_START);
        return Files.isRegularFile(p) ? Long.parseLong(Files.readString(p).strip()) : -1;
    }

    /** Whether a mount would restore the last copy: there is one, and the tmpfs is empty. */
    static boolean restoreDue(Path base, Path backupDirectory) throws IOException {
        if (!Files.isDirectory(backupDirectory.resolve("current").resolve("tree"), LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(base)) {
            return entries.findAny().isEmpty();
        }
    }

    /** At mount: an empty tmpfs gets the last copy back; a tmpfs with files (it outlived the daemon) keeps them. */
    public static void restoreIfEmpty(Posix posix, Path base, Path backupDirectory, Consumer<String> notice)
            throws IOException {
        Path tree = backupDirectory.resolve("current").resolve("tree");
        if (!restoreDue(base, backupDirectory)) {
            if (Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
                notice.accept("tmpfs " + base + " already holds files (it outlived the last daemon): not restoring "
                        + "the backup in " + backupDirectory);
            }
            return;
        }
        TreeCopy.Result r = new TreeCopy(posix, null, 0).copy(tree, base);
        notice.accept("restored " + r.files() + " files (" + r.copiedBytes() + " bytes) into " + base + " from "
                + backupDirectory);
    }

    /** Stops the timer and takes the last copy (at clean unmount). */
    @Override
    public void close() throws IOException {
        timer.shutdown();
        try {
            timer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TreeCopy.Result r = snapshot();
        notice.accept("backed up " + r.files() + " files of " + base + " to " + dir + " ("
                + r.copiedBytes() + " bytes copied, " + r.linkedFiles() + " unchanged files linked, " + r.patchedFiles()
                + " changed files patched in place)");
    }
}
