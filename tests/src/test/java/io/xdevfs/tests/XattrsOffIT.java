package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code enable_xattr = false}: the kernel stops asking the daemon for security.capability before every
 * write (half the requests of a 4 KiB write), extended attributes fail with EOPNOTSUPP, and the CLI
 * reads statistics and health over the daemon's control socket instead.
 */
@ExtendWith(NoLeftovers.class)
class XattrsOffIT {
    private static final int WRITES = 200;

    /** WRITES separate 4 KiB write calls and an fsync, then the daemon's count of xattr requests. */
    private static long xattrRequestsDuringWrites(Mounted fs, int port) throws Exception {
        Py.eval(fs.mnt, "fd = os.open(d + '/wal', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                + "for i in range(" + WRITES + "):\n    os.write(fd, bytes([i % 256]) * 4096)\n"
                + "os.fsync(fd)\nos.close(fd)");
        String scrape = MonitoringIT.scrape(port);
        assertTrue(scrape.contains("xdevfs_operations_total{op=\"write\"} " + WRITES + "\n"), scrape);
        return MonitoringIT.operations(scrape, "xattr");
    }

    private static String ok(Run cli) {
        assertEquals(0, cli.exit(), cli.output());
        return cli.output();
    }

    /**
     * The CLI run as another user, from a world-readable copy of the test classpath (root's Maven
     * repository, where its jars live, is not readable by others).
     */
    private static Run cliAs(String user, String... args) throws Exception {
        Path copy = TestDirs.create("xdevfs-it-cp-");
        try {
            List<String> classpath = new ArrayList<>();
            int i = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path from = Path.of(entry);
                if (Files.exists(from)) {
                    Path to = copy.resolve(i++ + "-" + from.getFileName());
                    Run.ok("cp", "-r", from.toString(), to.toString());
                    classpath.add(to.toString());
                }
            }
            Run.ok("chmod", "-R", "a+rX", copy.toString());
            List<String> cmd = new ArrayList<>(List.of("runuser", "-u", user, "--",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    String.join(java.io.File.pathSeparator, classpath), "io.xdevfs.fs.Main"));
            cmd.addAll(List.of(args));
            return Run.in(null, cmd);
        } finally {
            Run.ok("rm", "-rf", copy.toString());
        }
    }

    @Test
    void writesCostOneRequestAndAttributesAreNotSupported() throws Exception {
        int onPort = MonitoringIT.freePort();
        int offPort = MonitoringIT.freePort();
        Path socket;
        // Both without passthrough, whose writes the daemon does not see; "on" also without
        // fuse_handle_killpriv, under which the kernel stops asking (PassthroughIT).
        try (Mounted on = Mounted.start(List.of("fuse_passthrough = false", "fuse_handle_killpriv = false",
                "[monitoring]", "metrics_port = " + onPort));
             Mounted off = Mounted.start(List.of("enable_xattr = false", "fuse_passthrough = false", "[monitoring]",
                     "metrics_port = " + offPort))) {
            socket = Path.of("/run/xdevfs", off.mnt.toString().substring(1).replace('/', '-') + ".sock");
            // The premise: the kernel asks for an attribute before each write.
            assertTrue(xattrRequestsDuringWrites(on, onPort) >= WRITES);
            assertEquals(0, xattrRequestsDuringWrites(off, offPort), "no xattr request reaches the daemon");
            assertEquals(Run.sha256(on.path("wal")), Run.sha256(off.path("wal")));

            Run set = Run.of("setfattr", "-n", "user.origin", "-v", "wal", off.path("wal").toString());
            assertNotEquals(0, set.exit());
            assertTrue(set.output().contains("Operation not supported"), set.output());
            Run get = Run.of("getfattr", "-d", off.path("wal").toString());
            assertTrue(get.output().contains("Operation not supported") || get.output().isBlank(), get.output());
            UserDefinedFileAttributeView view = Files.getFileAttributeView(off.path("wal"),
                    UserDefinedFileAttributeView.class);
            assertThrows(java.io.IOException.class, () -> view.write("origin", ByteBuffer.wrap(new byte[] {1})));
            assertEquals(List.of(), Run.ok("getfattr", "-d", "-m", "-", off.base.resolve("wal").toString()).lines()
                    .filter(l -> l.startsWith("user.") && !l.startsWith("user.xdevfs.")).toList(),
                    "nothing reached the backing file (but xdevfs's own file id)");

            // The CLI asks the daemon over its control socket instead: same figures, same verdict.
            assertEquals(WRITES, MonitoringIT.field(ok(MonitoringIT.cli("stats", "--json", off.mnt.toString())),
                    "write_ops"), "the writes counted, read over the socket");
            assertTrue(ok(MonitoringIT.cli("stats", off.mnt.toString())).contains("write"));
            Run health = MonitoringIT.cli("health", off.mnt.toString());
            assertEquals(0, health.exit(), health.output());
            assertEquals("healthy", health.output().strip());
            ok(MonitoringIT.cli("stats", "--reset", off.mnt.toString()));
            assertEquals(0, MonitoringIT.field(ok(MonitoringIT.cli("stats", "--json", off.mnt.toString())),
                    "write_ops"), "reset over the socket");
            assertTrue(off.log().contains("enable_xattr = false") && off.log().contains(".sock"), off.log());
            // The socket is its daemon's user's (root's) alone: another user is told why, not "unhealthy".
            Files.setPosixFilePermissions(off.root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Run denied = cliAs("nobody", "health", off.mnt.toString());
            assertNotEquals(0, denied.exit());
            assertTrue(denied.output().contains("cannot reach its daemon over") && !denied.output().contains("unhealthy"),
                    denied.output());
            assertEquals(0, MonitoringIT.cli("health", on.mnt.toString()).exit(), "the default mount still answers");
            assertTrue(Files.exists(socket), socket.toString());
        }
        assertFalse(Files.exists(socket), "the daemon removes its socket when it unmounts");
    }

    @Test
    void theBackingFilesKeepTheirAttributesForTheNextMountThatServesThem() throws Exception {
        Path root;
        try (Mounted fs = Mounted.start()) {
            Files.writeString(fs.path("seg"), "x");
            Run.ok("setfattr", "-n", "user.origin", "-v", "kept", fs.path("seg").toString());
            root = fs.root;
        }
        Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base"),
                "enable_xattr = false"));
        try (Mounted off = Mounted.startOn(root)) {
            assertTrue(Run.of("getfattr", "-n", "user.origin", off.path("seg").toString()).output()
                    .contains("Operation not supported"));
            assertEquals("x", Files.readString(off.path("seg")));
        }
        Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + root.resolve("base")));
        try (Mounted on = Mounted.startOn(root)) {
            assertTrue(Run.ok("getfattr", "-n", "user.origin", "--only-values", on.path("seg").toString())
                    .contains("kept"));
        }
    }
}
