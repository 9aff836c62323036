package io.xdevfs.fs.daemon;

import io.xdevfs.fs.Log;
import io.xdevfs.fs.fuse.ControlXattrs;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@link ControlXattrs} over a Unix domain socket, for a mount that serves no extended attributes
 * ({@code enable_xattr = false}): {@code xdevfs stats} and {@code health} ask here instead.
 *
 * <p>One request per connection, a line {@code get NAME} or {@code set NAME}; the answer is {@code ok}
 * and a newline, then the value, or {@code error REASON}. The socket is 0600: only the daemon's user
 * (root, for a system mount) may ask, where the attributes let anyone who can read the mount root.
 */
public final class ControlSocket implements AutoCloseable {
    /** A request line is a verb and a control attribute's name: nothing longer is a request. */
    private static final int MAX_REQUEST = 256;

    private final Path path;
    private final ServerSocketChannel server;

    private ControlSocket(Path path, ServerSocketChannel server, ControlXattrs control) {
        this.path = path;
        this.server = server;
        Thread thread = new Thread(() -> serve(control), "xdevfs-control");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Listens on {@code path}, replacing a socket a dead daemon left there. It is bound under a temporary
     * name and renamed once its mode is 0600, so no one can connect while it is still open to all.
     */
    public static ControlSocket open(Path path, ControlXattrs control) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new ControlSocket(path, server, control);
    }

    public Path path() {
        return path;
    }

    private void serve(ControlXattrs control) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String request = readLine(client);
                client.write(StandardCharsets.UTF_8.encode(answer(control, request)));
            } catch (IOException e) {
                if (server.isOpen()) {
                    Log.warn("control socket " + path + ": " + e.getMessage());
                }
            }
        }
    }

    private static String answer(ControlXattrs control, String request) {
        try {
            if (request.startsWith("get " + ControlXattrs.PREFIX)) {
                return "ok\n" + new String(control.get(request.substring(4)), StandardCharsets.UTF_8);
            }
            if (request.startsWith("set " + ControlXattrs.PREFIX)) {
                control.set(request.substring(4));
                return "ok\n";
            }
            return "error not a control request: " + request;
        } catch (PosixException e) {
            return "error " + reason(e.errno());
        }
    }

    /** The words strerror gives, which {@link ControlClient#explain} reads as it reads an xattr failure. */
    private static String reason(int errno) {
        return switch (errno) {
            case Errno.ENODATA -> "No data available";
            case Errno.EPERM -> "Operation not permitted";
            default -> "errno " + errno;
        };
    }

    private static String readLine(SocketChannel client) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST);
        while (buf.hasRemaining() && client.read(buf) > 0) {
            if (buf.get(buf.position() - 1) == '\n') {
                break;
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.warn("cannot remove control socket " + path + ": " + e.getMessage());
        }
    }
}
