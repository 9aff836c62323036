package io.xdevfs.fs.daemon;

import io.xdevfs.fs.UsageException;
import io.xdevfs.fs.fuse.ControlXattrs;
import io.xdevfs.posix.Posix;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * The CLI's side of {@link ControlXattrs}: reads and sets the control attributes of a mount's root, or,
 * on a mount that serves no extended attributes, asks its daemon's {@link ControlSocket}.
 */
public final class ControlClient {
    private final Path mountPoint;
    private final UserDefinedFileAttributeView view;
    private final Path socket;

    /** @throws UsageException when {@code mountPoint} is not an xdevfs mount */
    public ControlClient(Path mountPoint) {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        String type = MountTable.typeAt(mnt).orElse(null);
        if (!"fuse.xdevfs".equals(type)) {
            throw new UsageException(mnt + " is not an xdevfs mount" + (type == null ? "" : " (it is " + type + ")"));
        }
        this.mountPoint = mnt;
        this.view = Files.getFileAttributeView(mnt, UserDefinedFileAttributeView.class);
        this.socket = controlSocket(mnt);
    }

    /** The socket of this user's daemon for the mount, or else root's (a system mount's). */
    private static Path controlSocket(Path mnt) {
        Path own = RunFiles.forMount(mnt, Posix.get().geteuid() == 0, null, null).controlSocket();
        Path system = RunFiles.forMount(mnt, true, null, null).controlSocket();
        return Files.exists(own) || !Files.exists(system) ? own : system;
    }

    /**
     * The value of {@code user.NAME} (Java adds the "user." namespace). A mount whose daemon has a control
     * socket serves no attributes, so the socket is asked first: the errno of a failed xattr call is not a
     * reliable sign (this JDK has reported EAGAIN for a call that strace showed failing with EOPNOTSUPP).
     */
    public String get(String name) throws IOException {
        String answer = overSocket("get " + name);
        if (answer != null) {
            return answer;
        }
        String attr = name.substring("user.".length());
        for (int attempt = 1; ; attempt++) {
            // The statistics change between the size query and the read (a counter gains a digit): room to
            // spare, and another try should they outgrow it (ERANGE, which Java reports only as text).
            ByteBuffer buf = ByteBuffer.allocate(view.size(attr) + 4096);
            try {
                view.read(attr, buf);
                return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            } catch (FileSystemException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    public void set(String name) throws IOException {
        if (overSocket("set " + name) == null) {
            view.write(name.substring("user.".length()), ByteBuffer.wrap(new byte[] {'1'}));
        }
    }

    /**
     * The answer of the mount's control socket, or null where there is none: no socket file, or one
     * that a daemon killed with -9 left behind (nothing listens; the mount there now has attributes).
     */
    private String overSocket(String request) throws IOException {
        if (!Files.exists(socket)) {
            return null;
        }
        String reply;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("Connection refused") || !Files.exists(socket)) {
                    return null;
                }
                throw e;
            }
            ch.write(StandardCharsets.UTF_8.encode(request + "\n"));
            ch.shutdownOutput();
            reply = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException unreachable) {
            throw new Unreachable(mountPoint + ": cannot reach its daemon over " + socket + " ("
                    + unreachable.getMessage() + "; the socket is its daemon's user's alone)");
        }
        if (reply.startsWith("ok\n")) {
            return reply.substring(3);
        }
        throw new FileSystemException(mountPoint.toString(), null,
                reply.startsWith("error ") ? reply.substring(6).strip() : "unexpected answer from " + socket);
    }

    /** The daemon lives but cannot be asked by this user (no read access, or the socket is not theirs). */
    public static boolean cannotAsk(IOException e) {
        return channelClosed(e) || e instanceof Unreachable || e instanceof AccessDeniedException;
    }

    private static final class Unreachable extends IOException {
        Unreachable(String message) {
            super(message);
        }
    }

    /** The mount answers no extended attributes at all: the daemon lives, but this channel is closed. */
    private static boolean channelClosed(IOException e) {
        String reason = reason(e);
        return reason != null && reason.contains("not supported");
    }

    private static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    }

    /** What a failure means to a user: a dead daemon, metrics switched off, or the system's words. */
    public String explain(IOException e) {
        String reason = reason(e);
        if (reason != null && reason.contains("not connected")) {
            return mountPoint + " is a dead mount: its daemon is gone (run: xdevfs umount " + mountPoint + ")";
        }
        if (channelClosed(e)) {
            return mountPoint + " serves no extended attributes ([local] enable_xattr = false) and its daemon's "
                    + "control socket " + socket + " is not there: use [monitoring] metrics_port, or the daemon's log";
        }
        if (e instanceof Unreachable) {
            return e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return mountPoint + ": permission denied (statistics and health need read access to the mount root)";
        }
        if (reason != null && reason.contains("No data available")) {
            return mountPoint + " has no statistics: its [monitoring] enable_metrics is false";
        }
        return mountPoint + ": " + reason;
    }
}
