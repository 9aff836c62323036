package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;

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
 * leaves a complete {@code current}. Changes through the mount wait while the tree is copied
 * ({@link GatedVolume#quiesced}); files unchanged since the last copy are hard-linked from it, so the
 * pause is proportional to what changed. Syncing happens after the pause.
 */
public final class TmpfsBackup implements Closeable {
    private final Posix posix;
    private final Path base;
    private final Path dir;
    private final GatedVolume gate;
    private final Consumer<String> notice;
    private final Consumer<Exception> fault;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "xdevfs-tmpfs-backup");
        t.setDaemon(true);
        return t;
    });

    public TmpfsBackup(Posix posix, Path base, Path backupDirectory, GatedVolume gate, Consumer<String> notice,
                Consumer<Exception> fault) {
        this.posix = posix;
        this.base = base;
        this.dir = backupDirectory;
        this.gate = gate;
        this.notice = notice;
        this.fault = fault;
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

    /** Copies the tree now; the previous copy stays current until this one is complete and synced. */
    public synchronized TreeCopy.Result snapshot() throws IOException {
        Path current = dir.resolve("current");
        Path next = dir.resolve("next");
        Files.createDirectories(dir);
        TreeCopy.deleteTree(next); // a copy a crash interrupted
        Files.createDirectory(next);
        boolean havePrevious = Files.isDirectory(current.resolve("tree"));
        TreeCopy copy = new TreeCopy(havePrevious ? current.resolve("tree") : null,
                havePrevious ? Long.parseLong(Files.readString(current.resolve("started")).strip()) : 0);
        long started = System.currentTimeMillis();
        TreeCopy.Result result = gate.quiesced(() -> copy.copy(base, next.resolve("tree")));
        copy.syncAll();
        Files.writeString(next.resolve("started"), Long.toString(started));
        syncPath(next.resolve("started"));
        syncPath(next);
        if (havePrevious) {
            posix.renameat2(Flags.AT_FDCWD, io.xdevfs.posix.Names.of(next), Flags.AT_FDCWD, io.xdevfs.posix.Names.of(current), Flags.RENAME_EXCHANGE);
            syncPath(dir);
            TreeCopy.deleteTree(next);
        } else {
            Files.move(next, current, StandardCopyOption.ATOMIC_MOVE);
        }
        syncPath(dir);
        return result;
    }

    private static void syncPath(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** At mount: an empty tmpfs gets the last copy back; a tmpfs with files (it outlived the daemon) keeps them. */
    public static void restoreIfEmpty(Path base, Path backupDirectory, Consumer<String> notice) throws IOException {
        Path tree = backupDirectory.resolve("current").resolve("tree");
        if (!Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> entries = Files.list(base)) {
            if (entries.findAny().isPresent()) {
                notice.accept("tmpfs " + base + " already holds files (it outlived the last daemon): not restoring "
                        + "the backup in " + backupDirectory);
                return;
            }
        }
        TreeCopy.Result r = new TreeCopy(null, 0).copy(tree, base);
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
                + r.copiedBytes() + " bytes copied, " + r.linkedFiles() + " unchanged files linked)");
    }
}
