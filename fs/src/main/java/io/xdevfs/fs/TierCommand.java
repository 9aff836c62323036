package io.xdevfs.fs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code xdevfs tier status|migrate|pin|unpin}: where the files of a storage_type = hybrid mount are,
 * and moving or pinning them. Each asks the daemon through an extended attribute of the file itself
 * ({@code user.xdevfs.tier}, {@code user.xdevfs.pin}), so it works wherever the file can be reached.
 */
@Command(name = "tier", mixinStandardHelpOptions = true,
        description = "Files of a storage_type = hybrid mount: which tier holds them, moving and pinning them.",
        subcommands = {TierCommand.Status.class, TierCommand.Migrate.class, TierCommand.Pin.class, TierCommand.Unpin.class})
final class TierCommand {
    private static final String TIER = "xdevfs.tier"; // user.xdevfs.tier: the view adds "user."
    private static final String PIN = "xdevfs.pin";

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Which tier holds each file under PATH (default: the whole mount), since when and why; "
                    + "then how many files and bytes each tier holds.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Where where;

        @Override
        public Integer call() throws IOException {
            long[] hot = new long[2];
            long[] cold = new long[2];
            Path mount = where.mount;
            for (Path f : where.files()) {
                String status;
                String pin;
                long size;
                try {
                    status = read(f, TIER);
                    pin = pinOf(f);
                    size = Files.size(f);
                } catch (NoSuchFileException | Vanished gone) {
                    continue; // unlinked since the listing: a live WAL directory deletes old segments
                }
                System.out.println(mount.relativize(f) + "  " + status + (pin == null ? "" : "  [pinned " + pin + "]"));
                long[] sum = status.startsWith("hot") ? hot : cold;
                sum[0]++;
                sum[1] += size;
            }
            System.out.printf(Locale.ROOT, "hot: %d files, %s; cold: %d files, %s%n", hot[0], mib(hot[1]), cold[0],
                    mib(cold[1]));
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Move every file under PATH (default: the whole mount) to a tier now, with a progress line. "
                    + "Files pinned to the other tier are left where they are and counted.")
    static final class Migrate implements Callable<Integer> {
        @Option(names = "--to", defaultValue = "cold", description = "hot or cold (default: ${DEFAULT-VALUE})")
        String to;
        @Mixin
        Where where;

        @Override
        public Integer call() throws IOException {
            requireTier(to);
            return migrate(where.files());
        }

        int migrate(List<Path> all) throws IOException {
            long started = System.nanoTime();
            java.io.PrintStream progress = Terminal.progress();
            long bytes = 0;
            int done = 0;
            int pinned = 0;
            int busy = 0;
            int gone = 0;
            for (Path f : all) {
                try {
                    String pin = pinOf(f);
                    if (pin != null && !pin.equals(to)) {
                        pinned++;
                        continue;
                    }
                    try {
                        view(f).write(TIER, StandardCharsets.UTF_8.encode(to));
                    } catch (FileSystemException e) {
                        if (!busy(e)) {
                            throw explain(f, e);
                        }
                        busy++; // open for writing in passthrough, or written throughout its move: the next run may move it
                        continue;
                    }
                    bytes += Files.size(f);
                    done++;
                } catch (NoSuchFileException | Vanished e) {
                    gone++; // unlinked since the listing: a live WAL directory deletes old segments
                    continue;
                }
                progress.printf(Locale.ROOT, "\rmoving to %s: %d/%d files, %s", to, done + pinned + busy + gone,
                        all.size(), mib(bytes));
            }
            progress.println();
            System.out.printf(Locale.ROOT, "%d files (%s) are %s; %d pinned to the other tier left alone; %.1f s%n",
                    done, mib(bytes), to, pinned, (System.nanoTime() - started) / 1e9);
            if (gone > 0) {
                System.out.printf(Locale.ROOT, "%d files were deleted before their turn%n", gone);
            }
            if (busy > 0) {
                System.out.printf(Locale.ROOT, "%d busy files left where they are (open for writing in FUSE passthrough, or"
                        + " written throughout their move): run it again once they are closed%n", busy);
            }
            return 0;
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true,
            description = {"Pin PATH to a tier: a file moves there now and stays (the migrator leaves it; only a full "
                    + "hot tier moves a file pinned hot); a directory places new files in it there, and everything "
                    + "below it is pinned too. Persisted with the files."})
    static final class Pin implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "hot|cold")
        String tier;
        @Parameters(index = "1", paramLabel = "PATH")
        Path path;

        @Override
        public Integer call() throws IOException {
            requireTier(tier);
            int n = 0;
            for (Path p : tree(path)) {
                write(p, PIN, tier);
                n++;
            }
            System.out.println(n + " pinned " + tier);
            return 0;
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true,
            description = "Remove the pins of PATH and everything below it: the placement rules apply again.")
    static final class Unpin implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH")
        Path path;

        @Override
        public Integer call() throws IOException {
            int n = 0;
            for (Path p : tree(path)) {
                n++;
                try {
                    view(p).delete(PIN);
                } catch (FileSystemException e) {
                    if (!String.valueOf(e.getReason()).contains("No data available")) {
                        throw explain(p, e);
                    }
                }
            }
            System.out.println("unpinned " + path + (n > 1 ? " and everything below it" : ""));
            return 0;
        }
    }

    private static void requireTier(String tier) {
        if (!tier.equals("hot") && !tier.equals("cold")) {
            throw new UsageException("a tier is hot or cold, not '" + tier + "'");
        }
    }

    /** MOUNTPOINT [PATH]: the files a command looks at. */
    static final class Where {
        @Parameters(index = "0", paramLabel = "MOUNTPOINT")
        Path mount;
        @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "relative to MOUNTPOINT unless "
                + "absolute; default: the whole mount")
        Path path;

        /** The regular files under PATH, sorted. */
        List<Path> files() throws IOException {
            Path start = path == null ? mount : mount.resolve(path);
            if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException(start + ": no such file or directory");
            }
            try (Stream<Path> s = Files.walk(start)) {
                return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            }
        }
    }

    /** {@code path} and, for a directory, every directory and regular file below it. */
    private static List<Path> tree(Path path) throws IOException {
        try (Stream<Path> s = Files.walk(path)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException(path + ": no such file or directory");
        }
    }

    private static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** A file named on the command line or listed a moment ago that no longer exists. */
    static final class Vanished extends UsageException {
        Vanished(Path f) {
            super(f + ": no such file or directory");
        }
    }

    private static String pinOf(Path f) throws IOException {
        try {
            return read(f, PIN);
        } catch (Vanished e) {
            throw e;
        } catch (UsageException e) {
            return null;
        }
    }

    private static String read(Path f, String name) throws IOException {
        try {
            UserDefinedFileAttributeView v = view(f);
            ByteBuffer b = ByteBuffer.allocate(512);
            v.read(name, b);
            return StandardCharsets.UTF_8.decode(b.flip()).toString();
        } catch (FileSystemException e) {
            throw explain(f, e);
        }
    }

    private static void write(Path f, String name, String value) throws IOException {
        try {
            view(f).write(name, StandardCharsets.UTF_8.encode(value));
        } catch (FileSystemException e) {
            throw explain(f, e);
        }
    }

    private static RuntimeException explain(Path f, FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return new Vanished(f);
        }
        String reason = String.valueOf(e.getReason());
        if (reason.contains("No data available") || reason.contains("Operation not supported")) {
            return new UsageException(f + ": not on a storage_type = hybrid mount (no tier to ask about)");
        }
        if (reason.contains("Operation not permitted")) {
            return new UsageException(f + ": pinned to the other tier (xdevfs tier unpin it first)");
        }
        if (busy(e)) {
            return new UsageException(f + ": busy: open for writing in FUSE passthrough (it can move once closed), or it kept"
                    + " changing while it was being moved; try again");
        }
        return new UsageException(f + ": " + (e.getReason() == null ? e.getMessage() : reason));
    }

    private static boolean busy(FileSystemException e) {
        return String.valueOf(e.getReason()).contains("Device or resource busy");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
