package io.xdevfs.fs.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Unmounts a FUSE mount with whichever tool this machine has (fusermount3, fusermount, umount). */
public final class Unmounter {
    private static final List<String> TOOLS = List.of("fusermount3", "fusermount");

    /** Returns null on success, else the tool's complaint. */
    public static String unmount(Path mountPoint, boolean lazy) {
        String mnt = mountPoint.toAbsolutePath().toString();
        List<String> cmd = null;
        for (String tool : TOOLS) {
            if (onPath(tool)) {
                cmd = lazy ? List.of(tool, "-u", "-z", mnt) : List.of(tool, "-u", mnt);
                break;
            }
        }
        if (cmd == null) {
            cmd = lazy ? List.of("umount", "-l", mnt) : List.of("umount", mnt);
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + " did not finish in 30 s";
            }
            return p.exitValue() == 0 ? null : (out.isEmpty() ? String.join(" ", cmd) + " failed" : out);
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : (path + ":/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private Unmounter() {
    }
}
