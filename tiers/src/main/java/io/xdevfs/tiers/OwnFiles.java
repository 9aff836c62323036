package io.xdevfs.tiers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories the daemon makes for itself: pid files, backup copies, markers. The daemon
 * runs with umask 0, so that the modes programs ask for reach the backing files as asked; whatever it
 * makes for its own use must therefore name its mode, or it is writable by every user (a backup copy
 * that anyone may replace is restored, as root, at the next mount).
 */
public final class OwnFiles {
    /** For what only the daemon reads: backups, intent-log markers. */
    public static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY = mode("rwx------");
    public static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE = mode("rw-------");
    /** For what other programs read: pid files and their directory. */
    public static final FileAttribute<Set<PosixFilePermission>> SHARED_DIRECTORY = mode("rwxr-xr-x");
    public static final FileAttribute<Set<PosixFilePermission>> SHARED_FILE = mode("rw-r--r--");

    private OwnFiles() {
    }

    private static FileAttribute<Set<PosixFilePermission>> mode(String rwx) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(rwx));
    }

    /**
     * Refuses a directory of the daemon's own (a tier's objects, backups, the intent log) that another
     * user could write to or owns: its files are named by xdevfs, not by the programs on the mount, so
     * whoever can make or replace a name there feeds the mount bytes of their choosing (a backup is
     * restored as root), or takes the daemon's place in a name before it. Root's and the daemon's own
     * are fine; so is a directory missing as yet (the daemon makes it without those rights).
     */
    public static void requireOwnDirectory(Path dir, String key) throws VolumeException {
        java.nio.file.attribute.PosixFileAttributes a;
        int uid;
        try {
            a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class);
            uid = (Integer) Files.getAttribute(dir, "unix:uid");
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new VolumeException("cannot stat " + key + " " + dir + ": " + e.getMessage());
        }
        Set<PosixFilePermission> p = a.permissions();
        boolean othersWrite = p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
        long self = io.xdevfs.posix.Posix.get().geteuid();
        if (othersWrite || (uid != 0 && uid != self)) {
            throw new VolumeException(key + " " + dir + " is " + (othersWrite
                    ? "writable by other users (" + PosixFilePermissions.toString(p) + ")"
                    : "owned by uid " + uid) + ": xdevfs names the files there itself, so another user could "
                    + "take or replace them; use a directory of its own (chmod go-w, chown it to "
                    + (self == 0 ? "root" : "uid " + self) + ", or pick another)");
        }
    }

    /** Writes {@code text} to {@code file}, made with {@code mode} if new (an existing file keeps its mode). */
    public static void writeString(Path file, String text, FileAttribute<?> mode) throws IOException {
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), mode)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        }
    }
}
