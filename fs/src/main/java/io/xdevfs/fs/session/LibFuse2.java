package io.xdevfs.fs.session;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;

/**
 * The libfuse2 calls {@link FuseSession} makes in place of fuse_main, bound by name. dlsym returns each
 * symbol's newest version, except where an unversioned ("Base") definition exists, which it may return
 * instead: fuse_new has one (the 2.2-era fuse_new_compat2), so the session is made by fuse_setup, which
 * has none, and its channel is changed afterwards.
 */
public interface LibFuse2 {
    /** Parses argv (mount point, -f, -s, -o ...), mounts, creates the session; null on failure (printed). */
    Pointer fuse_setup(int argc, Pointer argv, Pointer operations, long operationsSize, Pointer mountPointOut,
            Pointer multithreadedOut, Pointer userData);

    /** Unmounts (if still mounted) and frees what fuse_setup made, including its mount point string. */
    void fuse_teardown(Pointer fuse, Pointer mountPoint);

    /** Answers one request read from {@code channel}: calls the filesystem's operation, which replies. */
    void fuse_session_process(Pointer session, @intptr_t long buf, @size_t long length, Pointer channel);

    /** libfuse's own read of the next request: int (struct fuse_chan **, char *, size_t). */
    int fuse_chan_recv(Pointer channelRef, @intptr_t long buf, @size_t long size);

    /** Non-zero once the session has ended (unmounted, or an error, or fuse_session_exit). */
    int fuse_session_exited(Pointer session);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer session, Pointer channel);

    /** Makes the session's loops end after the request at hand. */
    void fuse_session_exit(Pointer session);

    void fuse_session_remove_chan(Pointer channel);

    void fuse_session_add_chan(Pointer session, Pointer channel);

    int fuse_chan_fd(Pointer channel);

    long fuse_chan_bufsize(Pointer channel);

    Pointer fuse_chan_new(Pointer operations, int fd, long bufferSize, Pointer data);

    /** The library jnr-fuse itself loads on Linux. */
    static LibFuse2 load() {
        return LibraryLoader.create(LibFuse2.class).failImmediately().load("libfuse.so.2");
    }
}
