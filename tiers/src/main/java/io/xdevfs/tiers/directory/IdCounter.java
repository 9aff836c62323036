package io.xdevfs.tiers.directory;

import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out file ids ({@link FileIds}) unique among every base directory attached to it: one per
 * volume, or one shared by the tiers of a composed volume, so that a file keeps its id when it moves
 * between them and two tiers never give the same one. The first id not yet handed out is recorded,
 * durably, on every attached directory ({@link FileIds#COUNTER}) before any id below it is given;
 * ids are reserved {@value #BLOCK} at a time, so a create costs no write here and a crash skips at
 * most the rest of a block. Thread-safe.
 */
public final class IdCounter {
    static final long BLOCK = 1 << 16;

    private final Posix posix;
    /** Guarded by this: the directories that record the mark, the next id, the end of the reserved block. */
    private final List<Integer> dirs = new ArrayList<>();
    private long next = 1;
    private long limit = 1;

    public IdCounter(Posix posix) {
        this.posix = posix;
    }

    /** Records the mark on {@code dirFd} (readable) too, and counts on from {@code mark}, what it recorded so far, if higher. */
    synchronized void attach(int dirFd, long mark) {
        dirs.add(dirFd);
        atLeast(mark);
    }

    synchronized void detach(int dirFd) {
        dirs.remove(Integer.valueOf(dirFd));
    }

    /** Gives no id below {@code id} from now on. */
    synchronized void atLeast(long id) {
        next = Math.max(next, id);
        limit = Math.max(limit, next);
    }

    synchronized long next() throws PosixException {
        if (next >= limit) {
            reserve(next + BLOCK);
        }
        return next++;
    }

    /** Writes the mark on every attached directory now (after an adoption, even if no id was handed out). */
    synchronized void record() throws PosixException {
        reserve(limit);
    }

    private void reserve(long mark) throws PosixException {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, mark);
        for (int dir : dirs) {
            posix.fsetxattr(dir, FileIds.COUNTER, b, 0);
            posix.fsync(dir, false);
        }
        limit = mark;
    }
}
