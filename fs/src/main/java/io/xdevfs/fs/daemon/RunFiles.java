package io.xdevfs.fs.daemon;

import java.nio.file.Path;

/**
 * Where a mount's daemon keeps its log and pid files, and its control socket. The socket is always at
 * the default place for the mount point, whatever --pid-file says, because the CLI finds it from the
 * mount point alone.
 */
public record RunFiles(Path logFile, Path pidFile, Path controlSocket) {

    public static RunFiles forMount(Path mnt, boolean root, Path log, Path pid) {
        String name = mnt.toString().equals("/") ? "root" : mnt.toString().substring(1).replace('/', '-');
        Path userDir = Path.of(System.getProperty("java.io.tmpdir"), "xdevfs-" + System.getProperty("user.name"));
        Path logDir = root ? Path.of("/var/log/xdevfs") : userDir;
        Path runDir = root ? Path.of("/run/xdevfs") : userDir;
        return new RunFiles(log != null ? log : logDir.resolve(name + ".log"),
                pid != null ? pid : runDir.resolve(name + ".pid"), runDir.resolve(name + ".sock"));
    }
}
