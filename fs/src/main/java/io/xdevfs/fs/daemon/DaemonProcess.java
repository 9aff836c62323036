package io.xdevfs.fs.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The daemon that serves a mount point, found by its command line ({@code mount --foreground ... MNT},
 * as the background start and a systemd unit both run it), so that {@code xdevfs umount} can wait for it
 * to close its files and exit: the kernel's unmount returns as soon as the mount is detached, while the
 * daemon still closes the volume (a tmpfs's last backup, a block volume's checkpoint).
 */
public final class DaemonProcess {
    private DaemonProcess() {
    }

    /** The live process serving {@code mountPoint}, if one can be seen (root sees every user's). */
    public static Optional<ProcessHandle> serving(Path mountPoint) {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> p.info().arguments().map(a -> serves(List.of(a), cwd(p), mnt)).orElse(false))
                .findFirst();
    }

    /** Whether a command line with arguments {@code args}, run in {@code cwd}, is a foreground mount of {@code mnt}. */
    static boolean serves(List<String> args, Path cwd, Path mnt) {
        int mount = args.indexOf("mount");
        if (mount < 0 || !args.contains("--foreground") || args.size() < mount + 2) {
            return false;
        }
        Path last = Path.of(args.get(args.size() - 1));
        if (!last.isAbsolute()) {
            if (cwd == null) {
                return false;
            }
            last = cwd.resolve(last);
        }
        return last.normalize().equals(mnt);
    }

    /**
     * Whether process {@code pid} has ended: gone, or a zombie its parent has not reaped yet (it has
     * closed every file by then). ProcessHandle.onExit waits for the reaping, which an init that reaps
     * lazily puts off by a second or more.
     */
    public static boolean ended(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return true;
        }
        int afterName = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
        return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) == 'Z'
                || stat.charAt(afterName + 2) == 'X';
    }

    private static Path cwd(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
