package io.xdevfs.fs;

import io.xdevfs.fs.daemon.ControlSocket;
import io.xdevfs.fs.daemon.HealthCheck;
import io.xdevfs.fs.fuse.ControlXattrs;
import io.xdevfs.tiers.metrics.Metrics;
import io.xdevfs.tiers.metrics.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control attributes over a Unix socket: what xdevfs stats/health ask on a mount without xattrs. */
class ControlSocketTest {
    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics(System::nanoTime);

    private ControlXattrs control(boolean healthy) {
        return new ControlXattrs(metrics, "/mnt/wal", () -> new HealthCheck.Verdict(healthy,
                healthy ? List.of() : List.of("backing store is full")));
    }

    private static String ask(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(StandardCharsets.UTF_8.encode(request + "\n"));
            ch.shutdownOutput();
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersStatsHealthAndResetAsTheAttributesWould() throws Exception {
        metrics.record(Op.WRITE, 1_000, 4096, null);
        metrics.record(Op.WRITE, 1_000, 4096, null);
        Path path = dir.resolve("run/wal.sock");
        try (ControlSocket socket = ControlSocket.open(path, control(false))) {
            String stats = ask(path, "get " + ControlXattrs.STATS);
            assertTrue(stats.startsWith("ok\n{"), stats);
            assertTrue(stats.contains("\"write_ops\": 2"), stats);
            assertTrue(stats.contains("\"write_bytes\": 8192"), stats);
            assertTrue(ask(path, "get " + ControlXattrs.STATS_TEXT).contains("/mnt/wal"));
            assertEquals("ok\n{\"healthy\": false, \"reasons\": [\"backing store is full\"]}\n",
                    ask(path, "get " + ControlXattrs.HEALTH));
            assertEquals("ok\n", ask(path, "set " + ControlXattrs.RESET));
            assertTrue(ask(path, "get " + ControlXattrs.STATS).contains("\"write_ops\": 0"), "reset zeroed the counters");
            assertEquals("error No data available", ask(path, "get " + ControlXattrs.PREFIX + "nothing"));
            assertEquals("error Operation not permitted", ask(path, "set " + ControlXattrs.STATS));
            assertTrue(ask(path, "remove everything").startsWith("error not a control request"));
            assertEquals(socket.path(), path);
        }
        assertFalse(Files.exists(path), "closing removes the socket");
    }

    @Test
    void onlyItsOwnerMayConnectAndAStaleSocketIsReplaced() throws Exception {
        Path path = dir.resolve("wal.sock");
        try (ControlSocket dead = ControlSocket.open(path, control(true))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
        Files.createFile(path); // what a kill -9 leaves behind, as far as the next daemon is concerned
        try (ControlSocket next = ControlSocket.open(path, control(true))) {
            assertEquals("ok\n{\"healthy\": true, \"reasons\": []}\n", ask(path, "get " + ControlXattrs.HEALTH));
            assertFalse(Files.exists(dir.resolve("wal.sock.tmp")));
        }
    }

    @Test
    void aDaemonWithoutMetricsAnswersHealthButNoStatistics() throws Exception {
        Path path = dir.resolve("wal.sock");
        ControlXattrs noMetrics = new ControlXattrs(null, "/mnt/wal", () -> new HealthCheck.Verdict(true, List.of()));
        try (ControlSocket socket = ControlSocket.open(path, noMetrics)) {
            assertEquals("error No data available", ask(path, "get " + ControlXattrs.STATS));
            assertTrue(ask(path, "get " + ControlXattrs.HEALTH).startsWith("ok\n"));
        }
    }
}
