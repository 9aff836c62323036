package io.xdevfs.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/** The CLI's side of {@link ControlXattrs}: reads and sets the control attributes of a mount's root. */
final class ControlClient {
    private final Path mountPoint;
    private final UserDefinedFileAttributeView view;

    /** @throws UsageException when {@code mountPoint} is not an xdevfs mount */
    ControlClient(Path mountPoint) {
        Path mnt = mountPoint.toAbsolutePath().normalize();
        String type = MountTable.typeAt(mnt).orElse(null);
        if (!"fuse.xdevfs".equals(type)) {
            throw new UsageException(mnt + " is not an xdevfs mount" + (type == null ? "" : " (it is " + type + ")"));
        }
        this.mountPoint = mnt;
        this.view = Files.getFileAttributeView(mnt, UserDefinedFileAttributeView.class);
    }

    /** The value of {@code user.NAME} (Java adds the "user." namespace). */
    String get(String name) throws IOException {
        String attr = name.substring("user.".length());
        int size = view.size(attr);
        ByteBuffer buf = ByteBuffer.allocate(size);
        view.read(attr, buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    void set(String name) throws IOException {
        view.write(name.substring("user.".length()), ByteBuffer.wrap(new byte[] {'1'}));
    }

    /** The mount answers no extended attributes at all: the daemon lives, but this channel is closed. */
    static boolean channelClosed(IOException e) {
        String reason = reason(e);
        return reason != null && reason.contains("not supported");
    }

    private static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    }

    /** What a failure means to a user: a dead daemon, metrics switched off, or the system's words. */
    String explain(IOException e) {
        String reason = reason(e);
        if (reason != null && reason.contains("not connected")) {
            return mountPoint + " is a dead mount: its daemon is gone (run: xdevfs umount " + mountPoint + ")";
        }
        if (channelClosed(e)) {
            return mountPoint + " serves no extended attributes ([local] enable_xattr = false), so no statistics "
                    + "or health through it: use [monitoring] metrics_port, or the daemon's log";
        }
        if (reason != null && reason.contains("No data available")) {
            return mountPoint + " has no statistics: its [monitoring] enable_metrics is false";
        }
        return mountPoint + ": " + reason;
    }
}
