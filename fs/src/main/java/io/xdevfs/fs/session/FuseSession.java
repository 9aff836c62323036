package io.xdevfs.fs.session;

import io.xdevfs.fs.Log;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * fuse_main's steps (setup, loop, teardown) run one by one, with libfuse's channel replaced by a
 * {@link LargeRequestChannel} before the first request is read, so a request can carry
 * {@link #MAX_REQUEST} bytes, and libfuse's loops replaced by a {@link RequestLoop} of Java threads.
 * If libfuse's channel is not the one this code knows, the session runs on it (128 KiB requests) and
 * the log says so.
 */
public final class FuseSession {
    /** The kernel's ceiling (256 pages) on x86_64; also what FuseOptions asks of max_write and max_read. */
    public static final int MAX_REQUEST = 1 << 20;
    /** libfuse2 keeps a page of the buffer for the request headers (do_init: bufsize - 4096). */
    private static final int HEADROOM = 4096;

    private final LibFuse2 lib = LibFuse2.load();
    private final Runtime runtime = Runtime.getSystemRuntime();
    /** Set once the loop starts, for the statistics. */
    private volatile RequestLoop loop;
    /** Referenced until the session ends: native code calls into the channel and reads this memory. */
    private final List<Object> pinned = new ArrayList<>();

    /**
     * Mounts, serves until unmounted and tears down; returns 0 after a normal unmount and 1 when the
     * mount or the session could not start (libfuse has printed why), as fuse_main does.
     * {@code args} are libfuse's command-line options ("-o", "...", "-s" for a single-threaded loop).
     */
    public int run(String mountPoint, List<String> args, Pointer operations, long operationsSize,
            LargeRequestChannel.RequestHook hook) {
        List<String> argv = new ArrayList<>(List.of("xdevfs", "-f"));
        argv.addAll(args);
        argv.add(mountPoint);
        Pointer mountPointOut = pin(Memory.allocateDirect(runtime, 8, true));
        Pointer multithreadedOut = pin(Memory.allocateDirect(runtime, 4, true));
        Pointer fuse = lib.fuse_setup(argv.size(), nativeArgv(argv), direct(operations, operationsSize),
                operationsSize, mountPointOut, multithreadedOut, null);
        if (fuse == null) {
            return 1;
        }
        Pointer session = lib.fuse_get_session(fuse);
        LargeRequestChannel large = LargeRequestChannel.replace(lib, session, MAX_REQUEST + HEADROOM, hook);
        if (large == null) {
            Log.warn("libfuse's channel is not the libfuse 2.6-2.9 layout this build knows: FUSE requests "
                    + "stay at 128 KiB, and SEEK_DATA/SEEK_HOLE see every file as all data");
        }
        pin(large);
        Pointer channel = lib.fuse_session_next_chan(session, null);
        RequestLoop loop = new RequestLoop(requests(session, channel, large), lib.fuse_chan_bufsize(channel));
        this.loop = loop;
        int result = multithreadedOut.getInt(0) != 0 ? loop.runMultithreaded() : loop.runSingle();
        lib.fuse_teardown(fuse, mountPointOut.getPointer(0));
        java.lang.ref.Reference.reachabilityFence(pinned);
        return result == -1 ? 1 : 0;
    }

    /** Request threads now and started so far ({@code --dispatch multi}; 0 and 0 with one session thread). */
    public int requestThreads() {
        RequestLoop l = loop;
        return l == null ? 0 : l.threadsAlive();
    }

    public int requestThreadsStarted() {
        RequestLoop l = loop;
        return l == null ? 0 : l.threadsStarted();
    }

    /**
     * The session's requests from {@code channel}, read through {@code large} (its hook sees them first)
     * or, where libfuse's channel stayed, by libfuse's own receive.
     */
    private RequestLoop.Requests requests(Pointer session, Pointer channel, LargeRequestChannel large) {
        Pointer channelRef = pin(Memory.allocateDirect(runtime, 8, true));
        channelRef.putAddress(0, channel.address());
        return new RequestLoop.Requests() {
            @Override
            public int read(long buf, long size) {
                return large != null ? large.read(buf, size) : lib.fuse_chan_recv(channelRef, buf, size);
            }

            @Override
            public void process(long buf, int length) {
                lib.fuse_session_process(session, buf, length, channel);
            }

            @Override
            public boolean ended() {
                return lib.fuse_session_exited(session) != 0;
            }

            @Override
            public void end() {
                lib.fuse_session_exit(session);
            }
        };
    }

    private <T> T pin(T object) {
        pinned.add(object);
        return object;
    }

    /** A NULL-terminated char *argv[] of native copies. */
    private Pointer nativeArgv(List<String> argv) {
        Pointer array = pin(Memory.allocateDirect(runtime, 8L * (argv.size() + 1), true));
        for (int i = 0; i < argv.size(); i++) {
            byte[] bytes = argv.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = pin(Memory.allocateDirect(runtime, bytes.length + 1, true));
            s.put(0, bytes, 0, bytes.length);
            array.putAddress(8L * i, s.address());
        }
        return array;
    }

    /** jnr-fuse keeps fuse_operations in Java memory; libfuse copies it from the native copy made here. */
    private Pointer direct(Pointer memory, long size) {
        if (memory.isDirect()) {
            return memory;
        }
        byte[] bytes = new byte[(int) size];
        memory.get(0, bytes, 0, bytes.length);
        Pointer copy = pin(Memory.allocateDirect(runtime, size));
        copy.put(0, bytes, 0, bytes.length);
        return copy;
    }
}
