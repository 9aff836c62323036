package io.xdevfs.tiers.tmpfs;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.ReservedAttributes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a directory tree with modes, owners and times (files, directories, symlinks, FIFOs). A file
 * unchanged since an earlier copy is hard-linked from it instead of copied: unchanged means same size
 * and a change time (which no user can set) older than that copy's start, with a second of margin for
 * coarse timestamps. Hard links inside the tree stay hard links in the copy (a sync through one name must
 * reach all of them after a restore); user extended attributes are copied (xdevfs's file ids among them).
 *
 * <p>In two steps: {@link #walk} reads the names (what each is, and for a directory, symlink or special
 * file all of it) and finds every regular file it must copy; {@link #finish} then writes the copy from
 * what the walk read and the files it found, by then perhaps under other names ({@link FoundFiles}).
 * Only the walk needs the tree's names to stay still, so a checkpoint under an intent log lets them
 * change again once it is done: a create or rename had waited for every byte, owner and attribute of
 * every changed file to be written to disk (0.6 s for 9,000 new small files here). Where files must be held open to be found again, at most
 * {@value #MOST_HELD_OPEN} are: past that, the walk copies what it holds before it goes on.
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

    static final int MOST_HELD_OPEN = 256;

    /** What the walk leaves for {@link #finish}, in the walk's order (a directory before what it holds). */
    private interface Step {
        void run() throws IOException;

        /** Lets go of what the step holds, when it will not run. */
        default void abandon() {
        }
    }

    /** Makes FIFOs and sockets: Files.copy would open a FIFO to read it, and wait for a writer forever. */
    private final Posix posix;
    /** The previous copy's root as a byte string, or null. */
    private final String previous;
    private final long previousStartMillis;
    private final List<String> toSync = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private int heldOpen;
    /** The copy of each file with more than one link, by its inode: the other names link to it. */
    private final Map<Long, String> copiesByInode = new HashMap<>();
    private long files;
    private long copiedBytes;
    private long linked;
    private long patched;
    /** By file id, what changed since the previous copy began reading, or null: copy changed files whole. */
    private Map<Long, CutChanges.OfFile> changes;
    private final long[] attributesLeftOut = {0};
    private String leftOutExample;
    private final FileContentCopy bytes;
    /** The regular files the walk found, until {@link #finish} (or a failed walk) ends. */
    private FoundFiles found;

    /** @param previous an earlier copy to link unchanged files from, or null */
    TreeCopy(Posix posix, Path previous, long previousStartMillis) {
        this.posix = posix;
        this.previous = previous == null ? null : Names.ofFound(previous);
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
        walk(from, to);
        return finish();
    }

    /** Reads the names below {@code from}: after it, they may change while {@link #finish} copies. */
    void walk(Path from, Path to) throws IOException {
        String source = Names.ofFound(from);
        try {
            found = new FoundFiles(posix, source);
            walkDirectory(source, Names.of(to), "");
        } catch (UncheckedIOException e) {
            abandonSteps();
            closeFound();
            throw e.getCause();
        } catch (IOException | RuntimeException | Error e) {
            abandonSteps();
            closeFound();
            throw e;
        }
    }

    /**
     * One directory, depth first, every path a byte string (no Path objects or URI decoding: the walk is
     * what names wait for, and those cost more than its system calls).
     */
    private void walkDirectory(String source, String target, String relative) throws IOException {
        steps.add(() -> makeDirectory(target));
        posix.listDirectory(Flags.AT_FDCWD, source, entry -> {
            String name = entry.name();
            String childRelative = relative.isEmpty() ? name : relative + "/" + name;
            try {
                String childSource = source + "/" + name;
                Stat st = posix.lstatAt(Flags.AT_FDCWD, childSource);
                if (st.isDirectory()) {
                    walkDirectory(childSource, target + "/" + name, childRelative);
                } else {
                    walkEntry(childSource, st, target + "/" + name, childRelative);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        });
        walkDirectoryAttributes(source, target);
    }

    /** The copy's directory; the top one may be there already (a restore into the empty tmpfs). */
    private void makeDirectory(String target) throws PosixException {
        try {
            posix.mkdirat(Flags.AT_FDCWD, target, 0700);
        } catch (PosixException e) {
            Stat there = e.errno() == Errno.EEXIST ? lstatOrNull(target) : null;
            if (there == null || !there.isDirectory()) {
                throw e;
            }
        }
    }

    /** Writes the copy from what {@link #walk} read and holds open. */
    Result finish() throws IOException {
        try {
            runSteps();
        } finally {
            closeFound();
        }
        return new Result(files, copiedBytes, linked, patched, attributesLeftOut[0], leftOutExample);
    }

    private void runSteps() throws IOException {
        try {
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                steps.set(i, null); // run or failed: not abandoned again
                step.run();
            }
        } finally {
            abandonSteps(); // clears the list: after a failure, lets go of the steps not run
        }
    }

    private void closeFound() {
        if (found != null) {
            try {
                found.close();
            } catch (PosixException ignored) { // a directory descriptor: nothing was written through it
            }
            found = null;
        }
    }

    private void abandonSteps() {
        for (Step step : steps) {
            if (step != null) {
                step.abandon();
            }
        }
        steps.clear();
        heldOpen = 0;
    }

    private void walkEntry(String source, Stat st, String target, String relative) throws IOException {
        files++;
        boolean multiplyLinked = st.isRegularFile() && st.nlink > 1;
        if (multiplyLinked) {
            String first = copiesByInode.putIfAbsent(st.ino, target);
            if (first != null) {
                steps.add(() -> posix.linkat(Flags.AT_FDCWD, first, Flags.AT_FDCWD, target));
                return;
            }
        }
        if (st.isRegularFile() && unchangedSincePrevious(relative, st)) {
            String old = previous + "/" + relative;
            steps.add(() -> posix.linkat(Flags.AT_FDCWD, old, Flags.AT_FDCWD, target));
            linked++;
            return;
        }
        if (st.isRegularFile()) {
            walkFile(source, st, target, relative, multiplyLinked);
        } else if (st.isSymlink()) {
            String link = posix.readlinkat(Flags.AT_FDCWD, source);
            steps.add(() -> {
                posix.symlinkat(link, Flags.AT_FDCWD, target);
                setOwnerAndTimes(target, st);
            });
        } else { // FIFOs, sockets, devices
            steps.add(() -> {
                posix.mknodat(Flags.AT_FDCWD, target, st.mode, st.rdev);
                setOwnerAndTimes(target, st);
            });
        }
    }

    /** Finds the file for its step, which copies it whole or patches its previous copy. */
    private void walkFile(String source, Stat st, String target, String relative, boolean multiplyLinked)
            throws IOException {
        FoundFiles.Found file = found.find(source);
        steps.add(new Step() {
            @Override
            public void run() throws IOException {
                int in = file.open();
                if (in < 0) {
                    copyGone(target, st, file.id());
                    return;
                }
                try {
                    copyFile(in, source, target, relative, multiplyLinked);
                } finally {
                    posix.close(in);
                }
            }

            @Override
            public void abandon() {
                file.release();
            }
        });
        if (file.holdsDescriptor() && ++heldOpen >= MOST_HELD_OPEN) {
            runSteps();
        }
    }

    /**
     * A file whose every name went after the walk: copied empty, with what the walk found of it, so that
     * the log's records from the cut find it by its id and path, as they found it, until the one that
     * removed its last name.
     */
    private void copyGone(String target, Stat st, long id) throws IOException {
        int out = posix.openat(Flags.AT_FDCWD, target,
                Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0600);
        try {
            posix.fchown(out, st.uid, st.gid);
            posix.fchmod(out, st.mode & 07777);
            if (id != 0) {
                posix.fsetxattr(out, ReservedAttributes.FILE_ID, ReservedAttributes.idValue(id), 0);
            }
            posix.futimens(out, st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec);
        } finally {
            posix.close(out);
        }
        toSync.add(target);
    }

    private void copyFile(int in, String source, String target, String relative, boolean multiplyLinked)
            throws IOException {
        long id = multiplyLinked ? NO_ID : sameFileAsPrevious(in, relative);
        int out;
        if (id != NO_ID) {
            posix.linkat(Flags.AT_FDCWD, previous + "/" + relative, Flags.AT_FDCWD, target);
            out = posix.openat(Flags.AT_FDCWD, target, Flags.O_WRONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
        } else {
            out = posix.openat(Flags.AT_FDCWD, target,
                    Flags.O_WRONLY | Flags.O_CREAT | Flags.O_EXCL | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0600);
        }
        try {
            if (id != NO_ID) {
                copiedBytes += bytes.patch(in, out, changes.get(id));
                patched++;
            } else {
                copiedBytes += bytes.copyKeepingHoles(in, out);
            }
            Stat st = posix.fstat(in);
            posix.fchown(out, st.uid, st.gid); // before the mode: a chown clears set-user-ID and set-group-ID
            posix.fchmod(out, st.mode & 07777);
            noteLeftOut(source, UserAttributes.read(UserAttributes.Source.ofDescriptor(posix, in)).writeTo(posix,
                    target, attributesLeftOut));
            posix.futimens(out, st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec);
        } finally {
            posix.close(out);
        }
        toSync.add(target);
    }

    /** A directory's owner, mode, time and attributes, read now, set once what it holds is copied. */
    private void walkDirectoryAttributes(String source, String target) throws IOException {
        Stat st = posix.lstatAt(Flags.AT_FDCWD, source);
        UserAttributes attributes = UserAttributes.read(UserAttributes.Source.ofPath(posix, source));
        steps.add(() -> {
            posix.lchownat(Flags.AT_FDCWD, target, st.uid, st.gid);
            noteLeftOut(source, attributes.writeTo(posix, target, attributesLeftOut));
            posix.fchmodat(Flags.AT_FDCWD, target, st.mode & 07777);
            posix.lutimensat(Flags.AT_FDCWD, target, st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec);
            toSync.add(target);
        });
    }

    private void setOwnerAndTimes(String target, Stat st) throws PosixException {
        posix.lchownat(Flags.AT_FDCWD, target, st.uid, st.gid);
        posix.lutimensat(Flags.AT_FDCWD, target, st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec);
    }

    private void noteLeftOut(String source, String attribute) {
        if (attribute != null && leftOutExample == null) {
            leftOutExample = source + ": " + attribute;
        }
    }

    private static final long NO_ID = -1;

    /** The file's id when it may be patched: the previous copy at its path is the same file, one name. */
    private long sameFileAsPrevious(int in, String relative) throws IOException {
        if (changes == null || previous == null) {
            return NO_ID;
        }
        String old = previous + "/" + relative;
        Stat oldStat = lstatOrNull(old);
        if (oldStat == null || !oldStat.isRegularFile()) {
            return NO_ID;
        }
        long id = FoundFiles.idOf(UserAttributes.Source.ofDescriptor(posix, in));
        return id != 0 && id == FoundFiles.idOf(UserAttributes.Source.ofPath(posix, old)) ? id : NO_ID;
    }

    private Stat lstatOrNull(String path) throws PosixException {
        try {
            return posix.lstatAt(Flags.AT_FDCWD, path);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return null;
            }
            throw e;
        }
    }

    private boolean unchangedSincePrevious(String relative, Stat st) throws IOException {
        if (previous == null || st.ctimeSec * 1000 + st.ctimeNsec / 1_000_000 >= previousStartMillis - 1000) {
            return false;
        }
        Stat old = lstatOrNull(previous + "/" + relative);
        return old != null && old.isRegularFile() && old.size == st.size;
    }

    /** fsyncs every copied file and directory (after the copy, so that changes need not wait for it). */
    void syncAll() throws IOException {
        for (String p : toSync) {
            int fd = posix.openat(Flags.AT_FDCWD, p, Flags.O_RDONLY | Flags.O_NOFOLLOW | Flags.O_CLOEXEC, 0);
            try {
                posix.fsync(fd, false);
            } finally {
                posix.close(fd);
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
