package io.xdevfs.tests;

import io.xdevfs.fs.config.ConfigException;
import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.daemon.MemoryBudget;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real xdevfs mount served by a daemon in its own JVM ({@code xdevfs mount --foreground}), over a
 * fresh base directory. {@link #close()} unmounts and requires the daemon to exit cleanly.
 */
final class Mounted implements AutoCloseable {
    static final Set<Mounted> LIVE = ConcurrentHashMap.newKeySet();
    /** Text of the daemon's own failures a test provoked on purpose, or null: see {@link #expectingFailuresWith}. */
    private String expectedFailure;

    final Path root;
    final Path mnt;
    final Path base;
    final Path log;
    private final Process daemon;
    /** storage_type = block: the loop device the test mounts (detached by {@link #close}). */
    LoopDevice loop;

    private Mounted(Path root, Path mnt, Path base, Path log, Process daemon) {
        this.root = root;
        this.mnt = mnt;
        this.base = base;
        this.log = log;
        this.daemon = daemon;
    }

    /**
     * Mounts with a config made of {@code [local]} lines (base_directory is added; {@code ${root}} in a
     * line is the test's own directory, for a hybrid's tier directories), plus CLI args.
     */
    static Mounted start(List<String> localLines, String... extraArgs) throws IOException, InterruptedException {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Files.createDirectory(root.resolve("mnt"));
        if (localLines.contains("storage_type = block") || localLines.contains("cold_storage_type = block")
                || localLines.contains("hot_storage_type = block")) {
            return startOnLoop(root, localLines.stream().map(l -> l.replace("${root}", root.toString())).toList(),
                    extraArgs);
        }
        List<String> ini = new ArrayList<>(List.of("[local]", "base_directory = " + root.resolve("base")));
        localLines.forEach(l -> ini.add(l.replace("${root}", root.toString())));
        Files.write(root.resolve("xdevfs.ini"), ini);
        return startOn(root, extraArgs);
    }

    /**
     * storage_type = block, or a hybrid with a block tier: a fresh 1 GiB loop device, formatted;
     * block_device goes into [block] (after the lines' own [block] header when they have one).
     */
    private static Mounted startOnLoop(Path root, List<String> lines, String... extraArgs)
            throws IOException, InterruptedException {
        LoopDevice loop = LoopDevice.create(root.resolve("device.img"), 1L << 30);
        try {
            loop.format();
            return onDevice(root, loop, lines, extraArgs);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            loop.close();
            throw e;
        }
    }


    /** Mounts a formatted loop device with these [local] (and [block]) lines; the mount detaches it at close. */
    static Mounted onDevice(Path root, LoopDevice loop, List<String> lines, String... extraArgs)
            throws IOException, InterruptedException {
        List<String> ini = new ArrayList<>(List.of("[local]"));
        if (!lines.contains("storage_type = block")) { // a hybrid with a block tier: the namespace's directory
            ini.add("base_directory = " + root.resolve("base"));
        }
        ini.addAll(lines);
        String device = "block_device = " + loop.device;
        int header = ini.indexOf("[block]");
        if (header < 0) {
            ini.addAll(List.of("[block]", device));
        } else {
            ini.add(header + 1, device);
        }
        Files.write(root.resolve("xdevfs.ini"), ini);
        Files.createDirectories(root.resolve("mnt"));
        Mounted m = startOn(root, extraArgs);
        m.loop = loop;
        return m;
    }

    /** Mounts root/mnt with root/xdevfs.ini again (e.g. after a crash), over the same base directory. */
    static Mounted startOn(Path root, String... extraArgs) throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>(javaCommand());
        launcher.addAll(1, memoryLimits(root.resolve("xdevfs.ini"), extraArgs));
        launcher.addAll(1, frameChecks(extraArgs));
        return startOn(root, launcher, extraArgs);
    }

    /**
     * A daemon with several request threads verifies its heap, walking every thread's frames, when it
     * exits: a request thread whose Java frames were cut off (libfuse's own loop cancelled its threads
     * so, and the collector crashed now and then) then fails its test at every unmount, not once in a
     * thousand.
     */
    private static List<String> frameChecks(String... extraArgs) {
        return multiDispatch(extraArgs) ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+VerifyBeforeExit") : List.of();
    }

    private static boolean multiDispatch(String... extraArgs) {
        return String.join(" ", extraArgs).matches(".*--dispatch[ =]multi.*");
    }

    /**
     * As {@link #startOn(Path, String...)}, the daemon started under an open-file limit of {@code limit}
     * (prlimit), as a container or a service manager may set one.
     */
    static Mounted startUnderOpenFileLimit(Path root, int limit) throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>(List.of("prlimit", "--nofile=" + limit + ":" + limit));
        launcher.addAll(javaCommand());
        launcher.addAll(3, memoryLimits(root.resolve("xdevfs.ini")));
        return startOn(root, launcher);
    }

    /**
     * The heap and direct-memory limits `xdevfs mount` gives a daemon it starts in the background
     * (MemoryBudget): a test's foreground daemon runs within them too, or a sync that exhausted the
     * real daemon's 128 MiB heap would pass here in a JVM sized to a quarter of the machine. None for a
     * configuration the daemon is to refuse.
     */
    private static List<String> memoryLimits(Path config, String... extraArgs) {
        try {
            boolean single = !multiDispatch(extraArgs);
            return MemoryBudget.of(ConfigLoader.loadAll(config), single).jvmOptions();
        } catch (ConfigException | RuntimeException e) {
            return List.of();
        }
    }

    /** As {@link #start()}, the daemon started with SIGINT ignored (as a script's background job is). */
    static Mounted startWithSigintIgnored() throws IOException, InterruptedException {
        FuseAvailability.require();
        Path root = TestDirs.create();
        Files.createDirectory(root.resolve("mnt"));
        Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base")));
        List<String> launcher = new ArrayList<>(List.of(Py.PYTHON, "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"));
        launcher.addAll(javaCommand());
        return startOn(root, launcher);
    }

    /** As {@link #startOn(Path, String...)}, the daemon's JVM given {@code jvmOptions} too (-Xmx, ...). */
    static Mounted startWithJvmOptions(Path root, List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>(javaCommand());
        launcher.addAll(1, jvmOptions);
        return startOn(root, launcher);
    }

    private static Mounted startOn(Path root, List<String> launcher, String... extraArgs)
            throws IOException, InterruptedException {
        Path mnt = root.resolve("mnt");
        Path base = root.resolve("base");
        Path config = root.resolve("xdevfs.ini");
        Files.deleteIfExists(root.resolve("pid"));
        Path log = root.resolve("daemon.log");
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("mount", "--foreground", "--pid-file", root.resolve("pid").toString(),
                "--config", config.toString()));
        cmd.addAll(List.of(extraArgs));
        cmd.add(mnt.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Mounted m = new Mounted(root, mnt, base, log, p);
        LIVE.add(m);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                LIVE.remove(m);
                throw new AssertionError("daemon exited " + p.exitValue() + " before mounting:\n" + m.log());
            }
            if (Files.exists(root.resolve("pid")) && m.isMounted()) {
                return m;
            }
            Thread.sleep(20);
        }
        m.kill();
        throw new AssertionError("not mounted within 60 s:\n" + m.log());
    }

    static Mounted start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * The JVM command that runs the xdevfs CLI from this test's class path. A test run started in the
     * background (nohup, {@code &} in a script) passes an ignored SIGINT down to it; the daemon puts
     * SIGINT back itself (InterruptUnmounts). With a class-data archive where one can be made ({@link DaemonJvm}).
     */
    static List<String> javaCommand() {
        return DaemonJvm.command();
    }

    /** The xdevfs command line with {@code args}, run to its end (format, fsck, config check, ...). */
    static Run cli(String... args) {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.addAll(List.of(args));
        return Run.of(cmd.toArray(String[]::new));
    }

    Path path(String relative) {
        return mnt.resolve(relative);
    }

    long pid() {
        return daemon.pid();
    }

    Process process() {
        return daemon;
    }

    boolean isMounted() {
        return Run.of("findmnt", "-n", "-t", "fuse.xdevfs", "--mountpoint", mnt.toString()).exit() == 0;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * A test that fills the disk on purpose: the daemon's housekeeping may then fail for want of space
     * (a compressed file's compaction), and lines of the log with {@code text} do not fail the test.
     */
    Mounted expectingFailuresWith(String text) {
        expectedFailure = text;
        return this;
    }

    /** Unmounts like a user would and checks the daemon ends with status 0. */
    @Override
    public void close() throws Exception {
        try {
            if (isMounted()) {
                Run r = Run.of("fusermount3", "-u", mnt.toString());
                if (r.exit() != 0) {
                    throw new AssertionError("fusermount3 -u failed: " + r.output());
                }
            }
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("daemon still running 20 s after unmount:\n" + log());
            }
            if (daemon.exitValue() != 0) {
                throw new AssertionError("daemon exited " + daemon.exitValue() + ":\n" + log());
            }
            // work the daemon does on its own that failed: no test here provokes any, so any is a defect
            // (a tmpfs backup that fails at close leaves every change since the one before without a copy)
            List<String> failed = log().lines().filter(l -> l.contains("background work failed")
                    || l.contains("closing the volume failed"))
                    .filter(l -> expectedFailure == null || !l.contains(expectedFailure)).toList();
            if (!failed.isEmpty()) {
                throw new AssertionError("the daemon's own work failed:\n" + String.join("\n", failed) + "\n" + log());
            }
        } finally {
            kill();
            unmountBaseTmpfs();
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** storage_type = tmpfs with auto_mount leaves its tmpfs mounted (as documented): a test removes it. */
    void unmountBaseTmpfs() {
        if (Run.of("findmnt", "-n", "--mountpoint", base.toString()).exit() == 0) {
            Run.ok("umount", base.toString());
        }
    }

    /** Last resort: no mount or daemon may outlive a test. */
    void kill() {
        LIVE.remove(this);
        if (daemon.isAlive()) {
            daemon.destroyForcibly();
            try {
                daemon.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (isMounted()) {
            Run.of("fusermount3", "-u", "-z", mnt.toString());
        }
    }
}
