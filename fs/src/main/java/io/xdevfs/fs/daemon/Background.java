package io.xdevfs.fs.daemon;

import io.xdevfs.fs.Main;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the daemon as a detached child ({@code setsid java ... mount --foreground}) and waits until
 * it has mounted (its pid file appears and the mount table shows fuse.xdevfs) or has died, in which
 * case what it logged during this attempt is shown and its exit status returned: nothing is left
 * half-mounted.
 */
public final class Background {
    private static final long WAIT_MILLIS = 60_000;

    /**
     * @param jvmOptions options of the daemon's JVM (the memory budget's limits); the CLI's own JVM
     *                   options (XDEVFS_JAVA_OPTS) follow them, so a user's -Xmx wins
     */
    public static int start(Path mnt, RunFiles files, List<String> jvmOptions, List<String> foregroundArgs)
            throws IOException, InterruptedException {
        Files.createDirectories(files.logFile().toAbsolutePath().getParent());
        Files.createDirectories(files.pidFile().toAbsolutePath().getParent());
        Files.deleteIfExists(files.pidFile());
        long logStart = sizeOf(files.logFile()); // the log accumulates; this attempt's lines start here
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(foregroundArgs);
        ProcessBuilder daemon = new ProcessBuilder(cmd);
        MemoryBudget.limitMallocArenas(daemon.environment());
        Process child = daemon
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.logFile().toFile()))
                .redirectErrorStream(true)
                .start();
        String pid = Long.toString(child.pid());
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                System.err.println("xdevfs: mount of " + mnt + " failed; the daemon said:");
                linesSince(files.logFile(), logStart).forEach(l -> System.err.println("  " + l));
                return child.exitValue() == 0 ? 1 : child.exitValue();
            }
            if (pid.equals(readPid(files.pidFile()))
                    && MountTable.typeAt(mnt).filter("fuse.xdevfs"::equals).isPresent()) {
                System.out.println("xdevfs: mounted on " + mnt + " (daemon pid " + pid + ", log " + files.logFile() + ")");
                return 0;
            }
            Thread.sleep(50);
        }
        child.destroy();
        System.err.println("xdevfs: the daemon did not finish mounting " + mnt + " within 60 s; stopped it (log "
                + files.logFile() + ")");
        return 1;
    }

    private static String readPid(Path pidFile) {
        try {
            return Files.readString(pidFile).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static long sizeOf(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The lines written to {@code log} from byte {@code start} on (at most the last 40). */
    static List<String> linesSince(Path log, long start) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
            long from = start <= ch.size() ? start : 0; // rotated or truncated meanwhile: all of it is new
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(ch.size() - from, 1 << 20));
            ch.read(buf, Math.max(from, ch.size() - buf.capacity()));
            List<String> lines = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).lines().toList();
            return lines.isEmpty() ? List.of("(nothing)") : lines.subList(Math.max(0, lines.size() - 40), lines.size());
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }

    private Background() {
    }
}
