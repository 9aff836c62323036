package io.xdevfs.tiers.intentlog;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Names;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.directory.FileIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Applies an intent log to a directory tree (a memory tier's base directory, restored from its last
 * consistent copy): each record does to the tree what the change it records did to the volume, files
 * keep their xdevfs ids, and a record whose file is gone (an unlinked open file's data) is skipped.
 * Replaying the same log onto the same copy always gives the same tree; recovery restarts an
 * interrupted replay from the copy, never from a half-replayed tree.
 */
public final class Replay {
    /** What a replay did. */
    public record Result(long records, long skipped, long lastSequence, List<String> problems) {
    }

    private static final int MAX_PROBLEMS = 10;

    private final Posix posix;
    private final Path tree;
    private final int base;
    private final Map<Long, String> paths = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private boolean scanned;
    private long skipped;
    private long maxId;

    private Replay(Posix posix, Path tree, int base) {
        this.posix = posix;
        this.tree = tree;
        this.base = base;
    }

    /** Replays the log in {@code logDir} from segment {@code first} onto {@code tree}. */
    public static Result run(Posix posix, Path tree, Path logDir, long first) throws IOException {
        int base = posix.openat(Flags.AT_FDCWD, Names.of(tree), Flags.O_RDONLY | Flags.O_DIRECTORY, 0);
        try {
            Replay replay = new Replay(posix, tree, base);
            LogReader.End end = LogReader.read(logDir, first, replay::apply);
            replay.raiseIdMark();
            return new Result(end.records(), replay.skipped, end.lastSequence(), List.copyOf(replay.problems));
        } finally {
            posix.close(base);
        }
    }

    void apply(RecordFormat.Decoded r) throws IOException {
        RecordBody.Reader in = r.reader();
        try {
            switch (r.type()) {
                case CREATE -> create(in);
                case MKDIR -> mkdir(in);
                case MKNOD -> {
                    String p = rel(in.getString());
                    posix.mknodat(base, p, in.getInt(), in.getLong());
                    posix.lchownat(base, p, in.getInt(), in.getInt());
                }
                case SYMLINK -> {
                    String p = rel(in.getString());
                    posix.symlinkat(in.getString(), base, p);
                    posix.lchownat(base, p, in.getInt(), in.getInt());
                }
                case LINK -> posix.linkat(base, rel(in.getString()), base, rel(in.getString()));
                case UNLINK -> posix.unlinkat(base, rel(in.getString()), false);
                case RMDIR -> posix.unlinkat(base, rel(in.getString()), true);
                case RENAME -> posix.renameat2(base, rel(in.getString()), base, rel(in.getString()), in.getInt());
                case TRUNCATE -> truncate(rel(in.getString()), in.getLong());
                case CHMOD -> posix.fchmodat(base, rel(in.getString()), in.getInt());
                case CHOWN -> posix.lchownat(base, rel(in.getString()), in.getInt(), in.getInt());
                case UTIMENS -> posix.lutimensat(base, rel(in.getString()), in.getLong(), in.getLong(), in.getLong(),
                        in.getLong());
                case SETXATTR -> setxattr(abs(in.getString()), in);
                case REMOVEXATTR -> posix.lremovexattr(abs(in.getString()), in.getString());
                case FSETXATTR -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        setxattr(abs(p), in);
                    }
                }
                case FREMOVEXATTR -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        posix.lremovexattr(abs(p), in.getString());
                    }
                }
                case DATA -> data(r, in);
                case FTRUNCATE -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        truncate(p, in.getLong());
                    }
                }
                case FALLOCATE -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        int fd = posix.openat(base, p, Flags.O_WRONLY | Flags.O_NOFOLLOW, 0);
                        try {
                            posix.fallocate(fd, in.getInt(), in.getLong(), in.getLong());
                        } finally {
                            posix.close(fd);
                        }
                    }
                }
                case FCHMOD -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        posix.fchmodat(base, p, in.getInt());
                    }
                }
                case FCHOWN -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        posix.lchownat(base, p, in.getInt(), in.getInt());
                    }
                }
                case FUTIMENS -> {
                    String p = byId(in.getLong());
                    if (p != null) {
                        posix.lutimensat(base, p, in.getLong(), in.getLong(), in.getLong(), in.getLong());
                    }
                }
            }
        } catch (PosixException e) {
            skipped++;
            if (problems.size() < MAX_PROBLEMS) {
                problems.add("record " + r.sequence() + " (" + r.type() + "): errno " + e.errno() + " "
                        + e.getMessage());
            }
        }
    }

    /** The rest of a SETXATTR or FSETXATTR record (name, value, flags), set again whether or not the name is there. */
    private void setxattr(String path, RecordBody.Reader in) throws IOException {
        String name = in.getString();
        ByteBuffer value = direct(in.getBytes());
        posix.lsetxattr(path, name, value, in.getInt() & ~(Flags.XATTR_CREATE | Flags.XATTR_REPLACE));
    }

    private void create(RecordBody.Reader in) throws IOException {
        String path = in.getString();
        long id = in.getLong();
        int mode = in.getInt();
        int uid = in.getInt();
        int gid = in.getInt();
        boolean truncated = in.getInt() != 0;
        int fd = posix.openat(base, rel(path), Flags.O_CREAT | Flags.O_WRONLY | Flags.O_NOFOLLOW
                | (truncated ? Flags.O_TRUNC : 0), mode);
        try {
            settle(fd, path, id, mode, uid, gid);
        } finally {
            posix.close(fd);
        }
    }

    private void mkdir(RecordBody.Reader in) throws IOException {
        String path = in.getString();
        long id = in.getLong();
        int mode = in.getInt();
        int uid = in.getInt();
        int gid = in.getInt();
        posix.mkdirat(base, rel(path), mode);
        int fd = posix.openat(base, rel(path), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW, 0);
        try {
            settle(fd, path, id, mode, uid, gid);
        } finally {
            posix.close(fd);
        }
    }

    /** Mode, owner and id exactly as the volume made them (the umask and the daemon's uid left out). */
    private void settle(int fd, String path, long id, int mode, int uid, int gid) throws PosixException {
        posix.fchown(fd, uid, gid); // before the mode: a chown clears a file's set-user-ID and set-group-ID bits
        posix.fchmod(fd, mode);
        if (id > 0 && id < FileIds.UNRECORDED) {
            posix.fsetxattr(fd, FileIds.XATTR, ReservedAttributes.idValue(id), 0);
            paths.put(id, rel(path));
            maxId = Math.max(maxId, id);
        }
    }

    private void data(RecordFormat.Decoded r, RecordBody.Reader in) throws IOException {
        String p = byId(in.getLong());
        long offset = in.getLong();
        long size = in.getLong();
        long mtimeSec = in.getLong();
        long mtimeNsec = in.getLong();
        ByteBuffer bytes = direct(in.getBytes());
        if (p == null) {
            skipped++; // the file has no name left: it was unlinked while open
            return;
        }
        int fd = posix.openat(base, p, Flags.O_WRONLY | Flags.O_NOFOLLOW, 0);
        try {
            while (bytes.hasRemaining()) {
                posix.pwrite(fd, bytes, offset + bytes.position());
            }
            if (posix.fstat(fd).size != size) {
                posix.ftruncate(fd, size);
            }
            posix.futimens(fd, 0, Flags.UTIME_OMIT, mtimeSec, mtimeNsec);
        } finally {
            posix.close(fd);
        }
    }

    private void truncate(String rel, long size) throws PosixException {
        int fd = posix.openat(base, rel, Flags.O_WRONLY | Flags.O_NOFOLLOW, 0);
        try {
            posix.ftruncate(fd, size);
        } finally {
            posix.close(fd);
        }
    }

    /** The file's path relative to the tree now, found by its id (scanning the tree when it moved); null if gone. */
    private String byId(long id) throws IOException {
        String p = paths.get(id);
        if (p != null && idAt(p) == id) {
            return p;
        }
        if (!scanned || p != null) {
            scan();
        }
        p = paths.get(id);
        return p != null && idAt(p) == id ? p : null;
    }

    private void scan() throws IOException {
        paths.clear();
        int under = Names.ofFound(tree).length() + 1;
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path f : (Iterable<Path>) all.skip(1)::iterator) {
                if (Files.isSymbolicLink(f) || !(Files.isRegularFile(f) || Files.isDirectory(f))) {
                    continue;
                }
                String rel = Names.ofFound(f).substring(under); // the name's bytes, UTF-8 or not
                long id = idAt(rel);
                if (id > 0) {
                    paths.putIfAbsent(id, rel);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        scanned = true;
    }

    private long idAt(String rel) {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return posix.lgetxattr(abs(rel), FileIds.XATTR, b) == 8 ? b.getLong(0) : -1;
        } catch (PosixException e) {
            return -1;
        }
    }

    /** The base directory's id mark counts on above every replayed id (it was copied before they were given). */
    private void raiseIdMark() throws PosixException {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        long mark;
        try {
            mark = posix.fgetxattr(base, FileIds.COUNTER, b) == 8 ? b.getLong(0) : -1;
        } catch (PosixException e) {
            return; // no mark: the volume adopts the tree and finds the largest id itself
        }
        if (mark > 0 && mark <= maxId) {
            posix.fsetxattr(base, FileIds.COUNTER, ReservedAttributes.idValue(maxId + 1), 0);
        }
    }

    private static ByteBuffer direct(ByteBuffer heap) {
        ByteBuffer d = ByteBuffer.allocateDirect(heap.remaining());
        d.put(heap.duplicate()).flip();
        return d;
    }

    /** A volume path ("/a/b") as a name relative to the tree ("a/b"; "." for the root). */
    private static String rel(String volumePath) {
        return volumePath.length() <= 1 ? "." : volumePath.substring(1);
    }

    private String abs(String volumePathOrRel) {
        String rel = volumePathOrRel.startsWith("/") ? rel(volumePathOrRel) : volumePathOrRel;
        return Names.of(tree) + "/" + rel;
    }
}
