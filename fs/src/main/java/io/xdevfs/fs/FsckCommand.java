package io.xdevfs.fs;

import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.block.BlockCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code xdevfs fsck DEVICE}: checks (and with --repair fixes) a storage_type = block volume. */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = "Check an unmounted xdevfs block volume: superblocks, checkpoint, journal, names, link counts, "
                + "allocation and every data block's checksum. Exit status as e2fsck's: 0 clean, 1 errors corrected, "
                + "4 errors left uncorrected, 8 operational error.")
final class FsckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DEVICE")
    Path device;

    @Option(names = "--repair", description = "Fix what can be fixed without guessing, and write a new checkpoint.")
    boolean repair;

    @Override
    public Integer call() {
        BlockCheck.Report report = BlockCheck.check(Posix.get(), device.toAbsolutePath(), repair, false);
        report.lines().forEach(System.out::println);
        return report.exitCode();
    }
}
