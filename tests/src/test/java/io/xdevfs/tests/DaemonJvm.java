package io.xdevfs.tests;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM command line that runs the xdevfs CLI and daemons of the tests, with the classes of a mount
 * in a class-data-sharing archive (AppCDS) made once per class path: a daemon JVM spends most of its
 * 1.4 s start loading and verifying classes (jnr-ffi, jnr-fuse, picocli), and the suite starts
 * hundreds of them. The archive is made by one training mount that exits normally
 * ({@code -XX:ArchiveClassesAtExit}). Without FUSE, where the class path has directories of classes
 * (which CDS refuses to archive), or with {@code -Dxdevfs.daemonCds=false}, the command is the plain one.
 * The archived command also stops the JIT at C1 ({@code -XX:TieredStopAtLevel=1}): a test's daemon lives
 * seconds, and C2 compiling for a steady state it never reaches took a third of the suite's CPU time
 * (83 real-program and model tests: 3:48 of user time, 2:29 with C1 alone, on two cores the two test
 * forks share). Mounts outside the tests run the JVM's default.
 */
final class DaemonJvm {
    private static final String MAIN = "io.xdevfs.fs.Main";
    private static List<String> command;

    private DaemonJvm() {
    }

    static synchronized List<String> command() {
        if (command == null) {
            command = make();
        }
        return command;
    }

    private static List<String> make() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String fullClassPath = System.getProperty("java.class.path");
        List<String> plain = List.of(java, "-Dfile.encoding=UTF-8", "-cp", fullClassPath, MAIN);
        String jars = jarsOnly(fullClassPath);
        if (jars == null || !FuseAvailability.available() || "false".equals(System.getProperty("xdevfs.daemonCds"))) {
            return plain;
        }
        Path archive = Path.of("target", "cds", "daemon-" + Integer.toHexString(identity(java, jars).hashCode()) + ".jsa")
                .toAbsolutePath();
        // An archive that does not match (a jar rebuilt under a running suite) is passed over without a word.
        List<String> shared = List.of(java, "-Dfile.encoding=UTF-8", "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=" + archive,
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-cp", jars, MAIN);
        if (Files.isRegularFile(archive) || train(java, jars, archive)) {
            return shared;
        }
        return plain;
    }

    /** The JVM and each jar with its size and time: the JVM refuses an archive made from other jars. */
    private static String identity(String java, String jars) {
        StringBuilder id = new StringBuilder(java);
        for (String jar : jars.split(File.pathSeparator)) {
            File f = new File(jar);
            id.append(File.pathSeparator).append(jar).append('@').append(f.length()).append('@').append(f.lastModified());
        }
        return id.toString();
    }

    /**
     * The class path's jars, the ones the daemon needs (test classes stay out); null when the xdevfs
     * classes come from a directory (a run from an IDE or from target/classes).
     */
    private static String jarsOnly(String classPath) {
        List<String> jars = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(entry);
            } else if (Files.isRegularFile(Path.of(entry, "io", "xdevfs", "fs", "Main.class"))) {
                return null;
            }
        }
        return String.join(File.pathSeparator, jars);
    }

    /** One mount with a write, an fsync and a read, unmounted so the JVM exits and writes the archive. */
    private static boolean train(String java, String jars, Path archive) {
        // Each test JVM (failsafe runs two forks) trains into its own file; the last move wins.
        Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            Files.createDirectories(archive.getParent());
            Path root = TestDirs.create();
            Path mnt = Files.createDirectory(root.resolve("mnt"));
            Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base")));
            Process daemon = new ProcessBuilder(java, "-Dfile.encoding=UTF-8", "-XX:ArchiveClassesAtExit=" + partial,
                    "-cp", jars, MAIN, "mount", "--foreground", "--config", root.resolve("xdevfs.ini").toString(),
                    "--pid-file", root.resolve("pid").toString(), mnt.toString())
                    .redirectErrorStream(true).redirectOutput(root.resolve("daemon.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(root.resolve("pid")) && daemon.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Path file = mnt.resolve("training");
                Files.write(file, new byte[8192]);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.force(false);
                }
                Files.readAllBytes(file);
                Run.ok("fusermount3", "-u", mnt.toString());
                if (!daemon.waitFor(60, TimeUnit.SECONDS) || daemon.exitValue() != 0 || !Files.isRegularFile(partial)) {
                    System.err.println("DaemonJvm: no class-data archive made (daemons start without one): "
                            + Files.readString(root.resolve("daemon.log")));
                    return false;
                }
            } finally {
                daemon.destroyForcibly();
                Run.of("fusermount3", "-u", "-z", mnt.toString());
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException | AssertionError e) {
            System.err.println("DaemonJvm: no class-data archive made (daemons start without one): " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
