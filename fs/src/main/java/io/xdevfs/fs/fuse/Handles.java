package io.xdevfs.fs.fuse;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Content;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open-handle table: FUSE's 64-bit file handle to the {@link Content} it names. Handles are never
 * reused, so a stale handle is EBADF, never another file. Thread-safe.
 */
public final class Handles {
    private final Map<Long, Content> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(Content content) {
        long fh = next.getAndIncrement();
        open.put(fh, content);
        return fh;
    }

    public Content get(long fh) throws PosixException {
        Content c = open.get(fh);
        if (c == null) {
            throw new PosixException(Errno.EBADF, "handle " + fh, null);
        }
        return c;
    }

    /** The handle's content, or null when it is not (or no longer) open. */
    public Content find(long fh) {
        return open.get(fh);
    }

    /** Removes the handle without closing its content, which the caller then owns; null when not open. */
    public Content remove(long fh) {
        return open.remove(fh);
    }

    /** Removes and closes; closing twice is EBADF. */
    void release(long fh) throws IOException {
        Content c = open.remove(fh);
        if (c == null) {
            throw new PosixException(Errno.EBADF, "release of handle " + fh, null);
        }
        c.close();
    }

    int size() {
        return open.size();
    }

    /** Closes every handle still open (unmount); returns the failures, if any. */
    List<IOException> closeAll() {
        List<IOException> failures = new ArrayList<>();
        for (Long fh : List.copyOf(open.keySet())) {
            try {
                release(fh);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        return failures;
    }
}
