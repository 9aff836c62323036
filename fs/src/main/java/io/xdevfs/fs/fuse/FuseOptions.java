package io.xdevfs.fs.fuse;

import io.xdevfs.fs.session.FuseSession;

import java.util.ArrayList;
import java.util.List;

/**
 * The FUSE options of a mount: our defaults, then the user's {@code -o} options (later ones win).
 *
 * <ul>
 *   <li>big_writes, max_write=max_read=1 MiB: fewest round trips ({@link FuseSession} gives libfuse2 the
 *       buffers and the kernel the FUSE_MAX_PAGES it needs for that; {@code -o max_write=131072} goes
 *       back to libfuse2's own 128 KiB).</li>
 *   <li>attr_timeout=0 and use_ino: libfuse2's path API keeps one kernel inode per name, so a cached
 *       attribute would go stale through a file's other hard links; with 0 every stat is current.</li>
 *   <li>hard_remove: an unlinked open file vanishes from the namespace at once (no .fuse_hidden
 *       files) and stays usable through its handle.</li>
 *   <li>default_permissions: the kernel checks modes and owners; with allow_other (when root
 *       mounts) other users, such as a database's, use the mount under those checks.</li>
 *   <li>nodev, nosuid: device nodes may be created on the mount (by a caller with CAP_MKNOD) but do not
 *       open their devices, and set-user-ID bits do not raise privileges, as on most data mounts;
 *       {@code -o dev} or {@code -o suid} turn that off.</li>
 * </ul>
 */
public final class FuseOptions {

    public static List<String> build(String fsName, boolean root, boolean singleThreaded, List<String> userOptions) {
        List<String> opts = new ArrayList<>(List.of("subtype=xdevfs", "fsname=" + fsName.replace(",", "_"),
                "big_writes", "max_write=" + FuseSession.MAX_REQUEST, "max_read=" + FuseSession.MAX_REQUEST,
                "use_ino", "attr_timeout=0", "hard_remove", "default_permissions", "nodev", "nosuid"));
        if (root) {
            opts.add("allow_other");
        }
        for (String o : userOptions) {
            for (String part : o.split(",")) {
                if (!part.isBlank()) {
                    opts.add(part.strip());
                }
            }
        }
        List<String> args = new ArrayList<>();
        if (singleThreaded) {
            args.add("-s");
        }
        args.add("-o");
        args.add(String.join(",", opts));
        return args;
    }

    private FuseOptions() {
    }
}
