package io.xdevfs.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statistics, health and Prometheus on a real mount, read through the CLI and over HTTP. */
@ExtendWith(NoLeftovers.class)
class MonitoringIT {

    static Run cli(String... args) {
        List<String> cmd = new ArrayList<>(Mounted.javaCommand());
        cmd.addAll(List.of(args));
        return Run.in(null, cmd);
    }

    /** One field of the mount's `xdevfs stats --json`. */
    static long stat(Mounted fs, String field) {
        Run json = cli("stats", "--json", fs.mnt.toString());
        assertEquals(0, json.exit(), json.output());
        return field(json.output(), field);
    }

    static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": ([0-9.]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return (long) Double.parseDouble(m.group(1));
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The count of {@code op} in a scrape, 0 where the operation has not happened. */
    static long operations(String scrape, String op) {
        Matcher m = Pattern.compile("xdevfs_operations_total\\{op=\"" + op + "\"\\} (\\d+)").matcher(scrape);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The Prometheus text a mount with {@code metrics_port = port} serves. */
    static String scrape(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void statsCountAKnownWorkloadExactlyAndPrometheusServesThem() throws Exception {
        int port = freePort();
        // Without passthrough: its reads and writes never reach the daemon to be counted (PassthroughIT).
        try (Mounted fs = Mounted.start(List.of("fuse_passthrough = false", "[monitoring]", "metrics_port = " + port,
                "slow_operation_threshold_ms = 1"))) {
            assertEquals(0, cli("stats", "--reset", fs.mnt.toString()).exit());
            Py.eval(fs.mnt, "fd = os.open(d + '/wal', os.O_CREAT | os.O_WRONLY, 0o644)\n"
                    + "for i in range(100):\n    os.write(fd, b'w' * 4096)\n"
                    + "os.close(fd)\nfd = os.open(d + '/wal', os.O_RDONLY | os.O_DIRECT)\n"
                    + "import mmap\nbuf = mmap.mmap(-1, 8192)\n"
                    + "for i in range(7):\n    os.preadv(fd, [buf], i * 8192)\nos.close(fd)");
            Run json = cli("stats", "--json", fs.mnt.toString());
            assertEquals(0, json.exit(), json.output());
            assertEquals(100, field(json.output(), "write_ops"));
            assertEquals(409600, field(json.output(), "write_bytes"));
            assertEquals(7, field(json.output(), "read_ops"));
            assertEquals(7 * 8192, field(json.output(), "read_bytes"));
            // Regression: the kernel's security.capability queries before writes (ENODATA) were counted as errors.
            assertTrue(field(json.output(), "xattr_answers") > 0, json.output());
            assertEquals(0, field(json.output(), "xattr_errors"), json.output());
            assertEquals(0, field(json.output(), "write_errors"), json.output());

            Run table = cli("stats", fs.mnt.toString());
            assertTrue(table.output().matches("(?s).*\\bwrite\\s+100\\s+0\\s+0\\s+409600\\b.*"), table.output());

            String scrape = scrape(port);
            Pattern sample = Pattern.compile("[a-z_]+(\\{[a-z]+=\"[^\"]*\"(,[a-z]+=\"[^\"]*\")*\\})? -?[0-9.eE+-]+");
            for (String line : scrape.split("\n")) {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || sample.matcher(line).matches(),
                        "not Prometheus text: " + line);
            }
            assertTrue(scrape.contains("xdevfs_operations_total{op=\"write\"} 100\n"), scrape);
            assertTrue(scrape.contains("xdevfs_bytes_total{op=\"write\"} 409600\n"), scrape);

            // The channel adds nothing to the namespace: the root lists only what was written.
            assertEquals(List.of("wal"), names(fs.mnt));
            assertTrue(!Run.ok("getfattr", "-d", "-m", "-", fs.mnt.toString()).contains("xdevfs"),
                    "no control attribute is listed");

            Run.ok("dd", "if=/dev/urandom", "of=" + fs.path("big"), "bs=1M", "count=32", "conv=fsync", "status=none");
            assertTrue(fs.log().contains("slow "), "slow operations are logged:\n" + fs.log());

            Run bench = cli("bench", "--size", "8M", "--duration", "1", fs.mnt.toString());
            assertEquals(0, bench.exit(), bench.output());
            assertTrue(bench.output().contains("sequential write: 8 ops"), bench.output());
            assertTrue(bench.output().matches("(?s).*random read 4k: \\d+ ops in .* IOPS.*p99.*"), bench.output());
            assertEquals(List.of("big", "wal"), names(fs.mnt), "bench removes its file");
            assertFalse(bench.output().contains("\r"), "no redrawn progress lines when stderr is not a terminal");
        }
    }

    @Test
    void healthFailsWhenTheBackingStoreIsReadOnlyOrFull() throws Exception {
        FuseAvailability.require();
        Path small = TestDirs.create("xdevfs-it-health-");
        Run.ok("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString());
        Mounted fs = null;
        try {
            // Only the base directory is on the small tmpfs: the daemon's log must not keep it busy.
            Path root = TestDirs.create();
            Files.createDirectory(root.resolve("mnt"));
            Files.write(root.resolve("xdevfs.ini"), List.of("[local]", "base_directory = " + small.resolve("base"),
                    "[monitoring]", "health_check_interval_sec = 1"));
            fs = Mounted.startOn(root);
            Run ok = cli("health", fs.mnt.toString());
            assertEquals(0, ok.exit(), ok.output());
            assertEquals("healthy", ok.output().strip());

            Run.of("dd", "if=/dev/zero", "of=" + small.resolve("filler"), "bs=1M", "count=16", "status=none"); // ENOSPC
            Run full = cli("health", fs.mnt.toString());
            assertEquals(1, full.exit(), full.output());
            assertTrue(full.output().contains("nearly full"), full.output());
            Files.delete(small.resolve("filler"));

            Run.ok("mount", "-o", "remount,ro", small.toString());
            Run ro = cli("health", fs.mnt.toString());
            assertEquals(1, ro.exit(), ro.output());
            assertTrue(ro.output().contains("does not take writes"), ro.output());
            Thread.sleep(2500);
            assertTrue(fs.log().contains("health: unhealthy"), "the daemon logs the transition:\n" + fs.log());
            Run.ok("mount", "-o", "remount,rw", small.toString());
            assertEquals(0, cli("health", fs.mnt.toString()).exit());
        } finally {
            if (fs != null) {
                fs.close();
            }
            Run.of("umount", small.toString());
        }
    }

    /**
     * The control attributes are answered on a thread of their own (ControlRequests), outside libfuse: the
     * getxattr protocol must hold there as it did under libfuse (size query, ERANGE for a short buffer,
     * the value), names that are not ours and nodes other than the root must still reach the volume,
     * and the answers must keep coming while a writer's fsyncs are in flight.
     */
    @Test
    void controlAttributesKeepTheGetxattrProtocolWhileWritersSync() throws Exception {
        try (Mounted fs = Mounted.start(List.of())) {
            String out = Py.eval(fs.mnt, String.join("\n",
                    "import ctypes, threading, json",
                    "libc = ctypes.CDLL(None, use_errno=True)",
                    "def raw(path, name, size):",
                    "    buf = ctypes.create_string_buffer(max(size, 1))",
                    "    n = libc.getxattr(path.encode(), name.encode(), buf if size else None, ctypes.c_size_t(size))",
                    "    return (n, ctypes.get_errno()) if n < 0 else (n, buf.raw[:n] if size else None)",
                    "stop = threading.Event()",
                    "syncs = [0]",
                    "def writer():",
                    "    fd = os.open(d + '/wal', os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)",
                    "    while not stop.is_set():",
                    "        os.write(fd, b'w' * 8192); os.fdatasync(fd); syncs[0] += 1",
                    "    os.close(fd)",
                    "t = threading.Thread(target=writer); t.start()",
                    "for i in range(50):",
                    "    size, _ = raw(d, 'user.xdevfs.stats', 0)",
                    "    assert size > 1000, size",
                    "    n, err = raw(d, 'user.xdevfs.stats', 10)",
                    "    assert n == -1 and err == errno.ERANGE, (n, err)",
                    "    n, value = raw(d, 'user.xdevfs.stats', 1 << 16)",
                    "    assert n > 1000 and json.loads(value)['since_reset_sec'] >= 0, n",
                    "    assert json.loads(os.getxattr(d, 'user.xdevfs.health'))['healthy'] is True",
                    "    assert 'since reset' in os.getxattr(d, 'user.xdevfs.stats.text').decode()",
                    "stop.set(); t.join()",
                    "os.mkdir(d + '/sub')",
                    "os.setxattr(d + '/sub', 'user.mine', b'v')",
                    "os.setxattr(d, 'user.root-own', b'r')",
                    "res = []",
                    "for path, name in [(d + '/sub', 'user.xdevfs.stats'), (d, 'user.xdevfs.nope'), (d, 'user.xdevfs.statsx')]:",
                    "    try: os.getxattr(path, name); res.append('found')",
                    "    except OSError as e: res.append(errno.errorcode[e.errno])",
                    "res.append(os.getxattr(d + '/sub', 'user.mine').decode())",
                    "res.append(os.getxattr(d, 'user.root-own').decode())",
                    "print(syncs[0] > 0, *res)"));
            assertEquals("True ENODATA ENODATA ENODATA v r", out);
            assertEquals(0, cli("stats", "--reset", fs.mnt.toString()).exit(), "the reset, a setxattr, stays libfuse's");
            assertTrue(stat(fs, "since_reset_sec") < 60);
        }
    }

    @Test
    void statsOfSomethingElseIsAClearError() throws Exception {
        Run r = cli("stats", "/tmp");
        assertEquals(1, r.exit());
        assertTrue(r.output().contains("/tmp is not an xdevfs mount"), r.output());
    }
}
