package io.xdevfs.fs;

import io.xdevfs.fs.daemon.DaemonProcess;
import io.xdevfs.fs.daemon.MountTable;
import io.xdevfs.fs.daemon.Unmounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code xdevfs umount MOUNTPOINT}: unmount, then wait until the daemon has released everything and
 * exited. Also clears a dead mount left by a daemon that was killed.
 */
@Command(name = "umount", mixinStandardHelpOptions = true,
        description = "Unmount an xdevfs mount and wait until its daemon has closed its files and exited.")
final class UmountCommand implements Callable<Integer> {
    /** A last backup of a large tmpfs may take minutes; a daemon that takes longer is stuck. */
    private static final long WAIT_SECONDS = 600;

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
        Optional<ProcessHandle> daemon = lazy ? Optional.empty() : DaemonProcess.serving(mountPoint);
        String problem = Unmounter.unmount(mountPoint, lazy);
        if (problem != null) {
            throw new UsageException("cannot unmount " + mountPoint + ": " + problem);
        }
        return daemon.map(UmountCommand::awaitExit).orElse(0);
    }

    /**
     * Returns once the daemon has closed its files and exited, as umount(8) returns once a filesystem is
     * written out: a script may then take the base directory's filesystem away (a lazy unmount does
     * not wait: open files keep the daemon serving).
     */
    private static int awaitExit(ProcessHandle daemon) {
        long start = System.nanoTime();
        boolean said = false;
        try {
            while (!DaemonProcess.ended(daemon.pid())) {
                long waited = System.nanoTime() - start;
                if (waited > TimeUnit.SECONDS.toNanos(WAIT_SECONDS)) {
                    System.err.println("xdevfs: unmounted, but the daemon (pid " + daemon.pid() + ") has not exited after "
                            + WAIT_SECONDS + " s; see its log");
                    return 1;
                }
                if (!said && waited > TimeUnit.SECONDS.toNanos(2)) {
                    System.err.println("xdevfs: waiting for the daemon (pid " + daemon.pid() + ") to close its files and exit");
                    said = true;
                }
                Thread.sleep(20);
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
