package io.xdevfs.fs;

import io.xdevfs.fs.config.ConfigException;
import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.config.FusePassthrough;
import io.xdevfs.fs.daemon.Background;
import io.xdevfs.fs.daemon.Daemon;
import io.xdevfs.fs.daemon.MemoryBudget;
import io.xdevfs.fs.daemon.Preflight;
import io.xdevfs.fs.daemon.RunFiles;
import io.xdevfs.fs.fuse.FuseOptions;
import io.xdevfs.fs.fuse.ReadAhead;
import io.xdevfs.posix.Posix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code xdevfs mount [--config FILE] [-o opts] [--foreground] MOUNTPOINT}. */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount xdevfs on MOUNTPOINT.",
                "Without --config the embedded default is used: storage_type = regular over "
                        + "/var/lib/xdevfs/data (created if missing).",
                "Runs in the background unless --foreground; the daemon's log goes to --log-file."})
final class MountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
    Path mountPoint;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The INI configuration.")
    Path config;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "FUSE mount options, comma-separated; "
            + "they follow and override xdevfs's defaults (e.g. -o attr_timeout=1,ro).")
    List<String> options = new ArrayList<>();

    @Option(names = {"-f", "--foreground"}, description = "Stay in the foreground (for systemd); "
            + "SIGTERM or SIGINT unmounts cleanly.")
    boolean foreground;

    @Option(names = "--dispatch", paramLabel = "MODE", defaultValue = "single",
            description = "How FUSE requests are served: single (one thread, the default: measured faster "
                    + "on jnr-fuse, see docs/benchmarks.md) or multi (libfuse's thread pool).")
    Dispatch dispatch;

    enum Dispatch { single, multi }

    @Option(names = "--log-file", paramLabel = "FILE", description = "Where a background daemon logs "
            + "(default /var/log/xdevfs/<mountpoint>.log as root, else /tmp/xdevfs-<uid>/<mountpoint>.log).")
    Path logFile;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Where the daemon writes its pid once "
            + "mounted (default /run/xdevfs/<mountpoint>.pid as root, else under /tmp/xdevfs-<uid>/).")
    Path pidFile;

    @Override
    public Integer call() throws Exception {
        ConfigLoader.Config settings;
        try {
            settings = config == null ? ConfigLoader.Config.defaults() : ConfigLoader.loadAll(config);
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("xdevfs: " + p));
            return 2;
        }
        Path mnt = mountPoint.toAbsolutePath().normalize();
        Preflight.mountPoint(mnt);
        Preflight.fuseAvailable();
        boolean root = Posix.get().geteuid() == 0;
        String noPassthrough = Preflight.passthroughUnavailable(root);
        if (settings.kernel().passthrough() == FusePassthrough.ON && noPassthrough != null) {
            throw new UsageException("fuse_passthrough = true: " + noPassthrough + " (use auto or false)");
        }
        RunFiles files = RunFiles.forMount(mnt, root, logFile, pidFile);
        List<String> userOptions = new java.util.ArrayList<>();
        if (settings.readAheadKb() >= 0) {
            userOptions.add(ReadAhead.fuseOption(settings.readAheadKb()));
        }
        if (!settings.pageCache()) {
            userOptions.add("direct_io"); // every read and write goes to the daemon; shared mmap needs Linux 6.6 (InitReply)
        }
        userOptions.addAll(options);
        List<String> fuseArgs = FuseOptions.build(settings.local().block() != null
                ? settings.local().block().device().toString() : settings.local().baseDirectory().toString(), root,
                dispatch == Dispatch.single, userOptions);
        MemoryBudget memory = MemoryBudget.of(settings, dispatch == Dispatch.single);
        if (!foreground) {
            // the daemon inherits this JVM's options, a user's -Xmx among them (Background): say it here too
            String shortfall = memory.heapShortfallHere();
            if (shortfall != null) {
                System.err.println("xdevfs: warning: " + shortfall);
            }
            return Background.start(mnt, files, memory.jvmOptions(), foregroundArgs(mnt, files));
        }
        return new Daemon(settings, mnt, fuseArgs, files, memory).run();
    }

    /** The same mount, as the background child runs it. */
    private List<String> foregroundArgs(Path mnt, RunFiles files) {
        List<String> args = new ArrayList<>(List.of("mount", "--foreground", "--pid-file", files.pidFile().toString()));
        if (config != null) {
            args.add("--config");
            args.add(config.toAbsolutePath().toString());
        }
        for (String o : options) {
            args.add("-o");
            args.add(o);
        }
        args.add("--dispatch");
        args.add(dispatch.name());
        args.add(mnt.toString());
        return args;
    }
}
