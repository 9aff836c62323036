package io.xdevfs.fs.session;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.fs.fuse.Handles;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.Content;

import static io.xdevfs.fs.session.Opcodes.RELEASE;

/**
 * RELEASE answered before libfuse sees it (libfuse2 would build the file's path under its node-table
 * lock only to hand the handle to Java), and the closing of a passed-through file put off until the
 * session has nothing to read ({@link PutOffCloses}).
 *
 * <p>Why put it off: the kernel sends RELEASE without waiting for it, and a program that creates files
 * one after another sends its next requests (the parent directory's GETATTR, the next LOOKUP) at once;
 * with one request thread they queued behind the close (descriptor cache, open-inode table) and the
 * backing close, 60 µs of the create's round trips here. A file open in passthrough is a plain backing
 * file that the daemon neither buffers nor watches, so when its handle closes nothing is visible to
 * anyone: its bytes are already in the backing file, and while it has a name its space is taken
 * anyway. Every other content (compressed, sparse, logged, block, a hybrid file under observation)
 * closes before the answer, as libfuse did it, so a close-then-open sees everything the close does.
 * Thread-safe.
 */
public final class ReleaseRequests implements LargeRequestChannel.RequestHook {
    /** struct fuse_release_in: fh, flags, release_flags, lock_owner. */
    private static final int RELEASE_IN = 24;

    private final Handles handles;
    private final PassthroughOpens passthrough;
    private final Posix posix;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final PutOffCloses putOff = new PutOffCloses(System::nanoTime);

    public ReleaseRequests(Handles handles, PassthroughOpens passthrough, Posix posix) {
        this.handles = handles;
        this.passthrough = passthrough;
        this.posix = posix;
    }

    @Override
    public boolean answer(int fd, long address, int length) {
        if (!LargeRequestChannel.is(address, length, RELEASE, RELEASE_IN)) {
            return false;
        }
        long unique = LargeRequestChannel.unique(address);
        long fh = memory.getLong(address + LargeRequestChannel.IN_HEADER);
        boolean passedThrough = passthrough.released(fh);
        // A handle the table does not know was closed at unmount, or never opened: nothing to report
        // to the kernel, which does not look at a RELEASE's answer.
        Content content = handles.remove(fh);
        if (content != null && !passedThrough) {
            PutOffCloses.close(content); // before the answer, as libfuse did
        }
        KernelReply.send(fd, unique, KernelReply.body(0));
        if (content != null && passedThrough) {
            putOff.release(content);
        }
        return true;
    }

    /** Before every request: one that removes a name waits for the put-off closes. Answers nothing. */
    public void beforeNameRemoval(long address, int length) {
        if (length >= LargeRequestChannel.IN_HEADER) {
            putOff.beforeNameRemoval(memory.getInt(address + 4));
        }
    }

    /** Runs the put-off closes when the kernel has no request waiting for {@code fd}. */
    @Override
    public void beforeRead(int fd) {
        putOff.beforeRead(() -> posix.readable(fd));
    }

    /** Closes every put-off handle (also at unmount, before the volume closes). */
    public void drain() {
        putOff.drain();
    }

    /** Releases whose close waited for a quiet moment, since the mount. */
    public long deferred() {
        return putOff.deferred();
    }
}
