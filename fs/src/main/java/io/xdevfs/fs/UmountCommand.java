package io.xdevfs.fs;

import io.xdevfs.fs.daemon.MountTable;
import io.xdevfs.fs.daemon.Unmounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code xdevfs umount MOUNTPOINT}: unmount; the daemon then releases everything and exits. Also
 * clears a dead mount left by a daemon that was killed.
 */
@Command(name = "umount", mixinStandardHelpOptions = true,
        description = "Unmount an xdevfs mount; its daemon closes its files and exits.")
final class UmountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Option(names = {"-z", "--lazy"}, description = "Detach now even if files are open (umount -l).")
    boolean lazy;

    @Override
    public Integer call() {
        String type = MountTable.typeAt(mountPoint).orElse(null);
        if (type == null || !type.equals("fuse.xdevfs")) {
            throw new UsageException(mountPoint + " is not an xdevfs mount"
                    + (type == null ? "" : " (it is " + type + ")"));
        }
        String problem = Unmounter.unmount(mountPoint, lazy);
        if (problem != null) {
            throw new UsageException("cannot unmount " + mountPoint + ": " + problem);
        }
        return 0;
    }
}
