package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.ReservedAttributes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Copies a directory tree with modes, owners and times (files, directories, symlinks, FIFOs). A file
 * unchanged since an earlier copy is hard-linked from it instead of copied: unchanged means same size
 * and a change time (which no user can set) older than that copy's start, with a second of margin for
 * coarse timestamps. Hard links inside the tree stay hard links in the copy (a sync through one name must
 * reach all of them after a restore); user extended attributes are copied (xdevfs's file ids among them).
 */
public final class TreeCopy {
    /**
     * What a copy did.
     *
     * @param patchedFiles      changed files whose copy was the previous copy's, brought up to date in place
     * @param attributesLeftOut extended attributes the target's filesystem could not hold (ENOSPC, E2BIG:
     *                          a tmpfs takes more and larger ones per file than ext4's one block), copied
     *                          without them; {@code leftOutExample} names one ("path: name"), or is null
     */
    public record Result(long files, long copiedBytes, long linkedFiles, long patchedFiles, long attributesLeftOut,
                         String leftOutExample) {
    }

    /** Makes FIFOs and sockets: Files.copy would open a FIFO to read it, and wait for a writer forever. */
    private final Posix posix;
    private final Path previous;
    private final long previousStartMillis;
    private final List<Path> toSync = new ArrayList<>();
    /** The copy of each file with more than one link, by its inode: the other names link to it. */
    private final java.util.Map<Object, Path> copiesByInode = new java.util.HashMap<>();
    private long files;
    private long copiedBytes;
    private long linked;
    private long patched;
    /** By file id, what changed since the previous copy began reading, or null: copy changed files whole. */
    private Map<Long, CutChanges.OfFile> changes;
    private long attributesLeftOut;
    private String leftOutExample;
    private final FileContentCopy bytes;

    /** @param previous an earlier copy to link unchanged files from, or null */
    TreeCopy(Posix posix, Path previous, long previousStartMillis) {
        this.posix = posix;
        this.previous = previous;
        this.previousStartMillis = previousStartMillis;
        this.bytes = new FileContentCopy(posix);
    }

    /**
     * Under an intent log, with what each file's bytes did since the previous copy began reading
     * ({@link CutChanges}): a changed file whose previous copy is the same file (by id) becomes that copy,
     * hard-linked and brought up to date in place, instead of a new copy of all its bytes. That changes
     * the previous copy too, which stays good as what a replay starts from: the log from its cut on
     * replays every synced byte onto whatever newer bytes the file holds (and is kept until this copy
     * is current). Without a log a copy must stay one moment, and this is never called.
     */
    TreeCopy patching(Map<Long, CutChanges.OfFile> changes) {
        this.changes = changes;
        return this;
    }

    Result copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                copyEntry(file, to.resolve(from.relativize(file)), from.relativize(file), attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Path target = to.resolve(from.relativize(dir));
                copyOwnerModeTimes(dir, target);
                toSync.add(target);
                return FileVisitResult.CONTINUE;
            }
        });
        return new Result(files, copiedBytes, linked, patched, attributesLeftOut, leftOutExample);
    }

    private void copyEntry(Path file, Path target, Path relative, BasicFileAttributes attrs) throws IOException {
        files++;
        boolean multiplyLinked = attrs.isRegularFile()
                && ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() > 1;
        if (multiplyLinked) {
            Path first = copiesByInode.putIfAbsent(attrs.fileKey(), target);
            if (first != null) {
                Files.createLink(target, first);
                return;
            }
        }
        if (attrs.isRegularFile() && unchangedSincePrevious(file, relative, attrs)) {
            Files.createLink(target, previous.resolve(relative));
            linked++;
            return;
        }
        if (attrs.isOther()) {
            int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            long rdev = (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            posix.mknodat(Flags.AT_FDCWD, Names.ofFound(target), mode, rdev);
            posix.lutimensat(Flags.AT_FDCWD, Names.ofFound(target), attrs.lastAccessTime().to(TimeUnit.SECONDS), 0,
                    attrs.lastModifiedTime().to(TimeUnit.SECONDS), 0);
        } else if (attrs.isRegularFile()) {
            long id = multiplyLinked ? NO_ID : sameFileAsPrevious(file, relative);
            if (id != NO_ID) {
                Files.createLink(target, previous.resolve(relative));
                copiedBytes += bytes.patch(file, target, changes.get(id));
                patched++;
            } else {
                bytes.copyKeepingHoles(file, target);
                copiedBytes += attrs.size();
            }
            Files.setAttribute(target, "unix:mode", Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS));
            Files.getFileAttributeView(target, java.nio.file.attribute.BasicFileAttributeView.class)
                    .setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
        } else {
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        copyOwner(file, target);
        copyUserAttributes(file, target);
        if (attrs.isRegularFile()) {
            toSync.add(target);
        }
    }

    private static final long NO_ID = -1;

    /** The file's id when it may be patched: the previous copy at its path is the same file, one name. */
    private long sameFileAsPrevious(Path file, Path relative) throws IOException {
        if (changes == null || previous == null) {
            return NO_ID;
        }
        Path old = previous.resolve(relative);
        if (!Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS)) {
            return NO_ID;
        }
        long id = idOf(file);
        return id != NO_ID && id == idOf(old) ? id : NO_ID;
    }

    private long idOf(Path p) throws IOException {
        ByteBuffer value = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try {
            return posix.lgetxattr(Names.ofFound(p), ReservedAttributes.FILE_ID, value) == 8 ? value.getLong(0) : NO_ID;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.ERANGE || e.errno() == Errno.EOPNOTSUPP) {
                return NO_ID;
            }
            throw e;
        }
    }

    private boolean unchangedSincePrevious(Path file, Path relative, BasicFileAttributes attrs) throws IOException {
        if (previous == null) {
            return false;
        }
        Path old = previous.resolve(relative);
        if (!Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS) || Files.size(old) != attrs.size()) {
            return false;
        }
        FileTime ctime = (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        return ctime.toMillis() < previousStartMillis - 1000;
    }

    private static void copyOwner(Path from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The user.* extended attributes, xdevfs's file ids among them (DirectoryVolume's FileIds), so that a restored
     * file is the same file. Symlinks and special files carry none. Names are bytes, as file names are:
     * Java's attribute view would decode them as UTF-8 and not find one that is not.
     *
     * <p>xdevfs's own first, and they must be copied; a program's that the target's filesystem cannot
     * hold are left out and counted ({@link Result#attributesLeftOut}): one file with more attributes than
     * ext4 keeps had failed every backup, so that nothing written after it was backed up at all.
     */
    private void copyUserAttributes(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String source = Names.ofFound(from);
        String target = Names.ofFound(to);
        ByteBuffer list = ByteBuffer.allocateDirect(posix.llistxattr(source, ByteBuffer.allocateDirect(0)));
        if (list.capacity() == 0) {
            return;
        }
        byte[] names = new byte[posix.llistxattr(source, list)];
        list.get(0, names);
        List<String> ours = new ArrayList<>();
        List<String> theirs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i] != 0) {
                continue;
            }
            String name = Names.ofBytes(names, start, i - start);
            start = i + 1;
            if (name.startsWith(ReservedAttributes.PREFIX)) {
                ours.add(name);
            } else if (name.startsWith("user.")) { // security.*, system.* (ACLs) and trusted.* are the host's
                theirs.add(name);
            }
        }
        for (String name : ours) {
            copyAttribute(source, target, name);
        }
        for (String name : theirs) {
            try {
                copyAttribute(source, target, name);
            } catch (PosixException e) {
                if (e.errno() != Errno.ENOSPC && e.errno() != Errno.E2BIG) {
                    throw e;
                }
                attributesLeftOut++;
                if (leftOutExample == null) {
                    leftOutExample = from + ": " + name;
                }
            }
        }
    }

    private void copyAttribute(String source, String target, String name) throws PosixException {
        ByteBuffer value = ByteBuffer.allocateDirect(posix.lgetxattr(source, name, ByteBuffer.allocateDirect(0)));
        posix.lsetxattr(target, name, value.limit(posix.lgetxattr(source, name, value)), 0);
    }

    private void copyOwnerModeTimes(Path from, Path to) throws IOException {
        copyOwner(from, to);
        copyUserAttributes(from, to);
        Files.setAttribute(to, "unix:mode", Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        Files.setLastModifiedTime(to, Files.getLastModifiedTime(from, LinkOption.NOFOLLOW_LINKS));
    }

    /** fsyncs every copied file and directory (after the copy, so that changes need not wait for it). */
    void syncAll() throws IOException {
        for (Path p : toSync) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        delete(root, true);
    }

    /** Deletes everything below {@code root}, keeping the directory itself. */
    static void deleteContents(Path root) throws IOException {
        delete(root, false);
    }

    private static void delete(Path root, boolean withRoot) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (withRoot || !dir.equals(root)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
