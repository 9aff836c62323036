package io.xdevfs.fs;

import io.xdevfs.fs.daemon.ControlClient;
import io.xdevfs.fs.fuse.ControlXattrs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code xdevfs stats [--json] [--watch N] [--reset] MOUNTPOINT}. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Show what a mount did: per operation ops, errors, bytes, rates over the last second and "
                + "latency percentiles, then open files, cache and compression figures.",
                "Read from the mount root's user.xdevfs.stats attribute (nothing appears in the mount), or, on a "
                        + "mount with enable_xattr = false, from its daemon's control socket."})
final class StatsCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Option(names = "--json", description = "JSON for machines (read_ops, write_bytes, read_latency_us, ...).")
    boolean json;

    @Option(names = "--watch", paramLabel = "N", description = "Refresh every N seconds until interrupted.")
    Integer watch;

    @Option(names = "--reset", description = "Zero every counter and histogram (needs write access to the root).")
    boolean reset;

    @Override
    public Integer call() throws InterruptedException {
        ControlClient client = new ControlClient(mountPoint);
        try {
            if (reset) {
                client.set(ControlXattrs.RESET);
                System.out.println("statistics of " + mountPoint + " reset");
                return 0;
            }
            String name = json ? ControlXattrs.STATS : ControlXattrs.STATS_TEXT;
            if (watch == null) {
                System.out.print(client.get(name));
                return 0;
            }
            if (watch < 1) {
                throw new UsageException("--watch needs a number of seconds of at least 1");
            }
            while (true) {
                String text = client.get(name);
                System.out.print(json ? text : "\033[H\033[2J" + text);
                System.out.flush();
                Thread.sleep(watch * 1000L);
            }
        } catch (IOException e) {
            throw new UsageException(client.explain(e));
        }
    }
}
