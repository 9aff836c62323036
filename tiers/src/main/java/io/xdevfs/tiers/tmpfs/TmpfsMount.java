package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.TmpfsSettings;
import io.xdevfs.tiers.VolumeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The memory filesystem under {@code storage_type = tmpfs}: the base directory must be a tmpfs (statfs
 * magic), or with {@code auto_mount} becomes one. A tmpfs xdevfs mounted stays mounted when xdevfs
 * unmounts, like one from /etc/fstab, so a restarted daemon finds its files; it ends at reboot or umount.
 */
public final class TmpfsMount {

    static boolean isTmpfs(Posix posix, Path dir) throws PosixException {
        int fd = posix.openat(Flags.AT_FDCWD, io.xdevfs.posix.Names.of(dir), Flags.O_PATH | Flags.O_DIRECTORY, 0);
        try {
            return posix.filesystemType(fd) == Posix.TMPFS_MAGIC;
        } finally {
            posix.close(fd);
        }
    }

    /** Makes sure {@code dir} (existing) is a tmpfs, mounting one when allowed; throws why not. */
    public static void ensure(Posix posix, Path dir, TmpfsSettings settings) throws VolumeException {
        try {
            if (isTmpfs(posix, dir)) {
                return;
            }
        } catch (PosixException e) {
            throw new VolumeException("cannot statfs base_directory " + dir + ": errno " + e.errno());
        }
        if (!settings.autoMount()) {
            throw new VolumeException("storage_type = tmpfs: base_directory " + dir + " is not on a tmpfs; mount "
                    + "one there (mount -t tmpfs -o size=1G,mode=0755 tmpfs " + dir + ") or set auto_mount = true in [tmpfs]");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new VolumeException("storage_type = tmpfs, auto_mount = true: base_directory " + dir
                        + " is not empty; a tmpfs mounted over it would hide its files (empty it or pick another)");
            }
        } catch (IOException e) {
            throw new VolumeException("cannot list base_directory " + dir + ": " + e.getMessage());
        }
        mount(dir, settings.mountOptions());
    }

    /**
     * A tmpfs's root is mode 1777 unless told otherwise, open to every user's files: a WAL directory
     * or a hot tier's objects would be too. Unless the options name a mode, the root gets a base
     * directory's 0755.
     */
    public static String withMode(String options) {
        for (String option : options.split(",")) {
            if (option.strip().startsWith("mode=")) {
                return options;
            }
        }
        return options.isEmpty() ? "mode=0755" : options + ",mode=0755";
    }

    private static void mount(Path dir, String requested) throws VolumeException {
        String options = withMode(requested);
        List<String> cmd = List.of("mount", "-t", "tmpfs", "-o", options, "xdevfs-tmpfs", dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new VolumeException("auto_mount: " + String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new VolumeException("auto_mount: cannot run mount: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException("auto_mount interrupted");
        }
    }

    private TmpfsMount() {
    }
}
