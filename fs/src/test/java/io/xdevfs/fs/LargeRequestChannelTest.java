package io.xdevfs.fs;

import io.xdevfs.fs.session.LargeRequestChannel;
import io.xdevfs.fs.session.LibFuse2;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A libfuse whose channel is not laid out as libfuse 2.6-2.9's is left exactly as it was: the session
 * keeps its channel (128 KiB requests) and nothing is written into libfuse's memory.
 */
class LargeRequestChannelTest {
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    /** libfuse's accessors answer {@code fd} and {@code bufsize}; every call that would change something is recorded. */
    private static LibFuse2 libfuse(Pointer channel, int fd, long bufsize, List<String> changes) {
        return new LibFuse2() {
            public Pointer fuse_setup(int argc, Pointer argv, Pointer ops, long size, Pointer mp, Pointer mt,
                    Pointer data) {
                throw new AssertionError();
            }

            public void fuse_teardown(Pointer fuse, Pointer mountPoint) {
                changes.add("teardown");
            }

            public void fuse_session_process(Pointer session, long buf, long length, Pointer ch) {
                throw new AssertionError();
            }

            public int fuse_chan_recv(Pointer channelRef, long buf, long size) {
                throw new AssertionError();
            }

            public int fuse_session_exited(Pointer session) {
                throw new AssertionError();
            }

            public Pointer fuse_get_session(Pointer fuse) {
                throw new AssertionError();
            }

            public Pointer fuse_session_next_chan(Pointer session, Pointer previous) {
                return channel;
            }

            public void fuse_session_exit(Pointer session) {
                throw new AssertionError("no session ends here");
            }

            public void fuse_session_remove_chan(Pointer ch) {
                changes.add("remove");
            }

            public void fuse_session_add_chan(Pointer session, Pointer ch) {
                changes.add("add");
            }

            public int fuse_chan_fd(Pointer ch) {
                return fd;
            }

            public long fuse_chan_bufsize(Pointer ch) {
                return bufsize;
            }

            public Pointer fuse_chan_new(Pointer ops, int descriptor, long size, Pointer data) {
                changes.add("new");
                return null;
            }
        };
    }

    /** struct fuse_chan as libfuse 2.9 lays it out: three function pointers, session, fd at 32, bufsize at 40. */
    private static Pointer channel(int fd, long bufsize) {
        Pointer ch = Memory.allocateDirect(RUNTIME, 64, true);
        ch.putInt(32, fd);
        ch.putLong(40, bufsize);
        return ch;
    }

    @Test
    void anotherLayoutIsLeftAlone() {
        List<String> changes = new ArrayList<>();
        Pointer session = Memory.allocateDirect(RUNTIME, 8, true);
        Pointer ch = channel(9, 135168);
        byte[] before = new byte[64];
        ch.get(0, before, 0, 64);

        assertNull(LargeRequestChannel.replace(libfuse(ch, 10, 135168, changes), session, 1 << 20), "fd elsewhere");
        assertNull(LargeRequestChannel.replace(libfuse(ch, 9, 4096, changes), session, 1 << 20), "bufsize elsewhere");
        assertEquals(List.of(), changes);
        byte[] after = new byte[64];
        ch.get(0, after, 0, 64);
        assertEquals(Arrays.toString(before), Arrays.toString(after), "libfuse's memory untouched");
    }

    @Test
    void aSessionWithoutAChannelOrAChannelThatCannotBeMadeIsLeftAlone() {
        List<String> changes = new ArrayList<>();
        Pointer session = Memory.allocateDirect(RUNTIME, 8, true);
        assertNull(LargeRequestChannel.replace(libfuse(null, 9, 135168, changes), session, 1 << 20));
        assertEquals(List.of(), changes);

        assertNull(LargeRequestChannel.replace(libfuse(channel(9, 135168), 9, 135168, changes), session, 1 << 20),
                "fuse_chan_new failed");
        assertEquals(List.of("new"), changes, "tried, and the session was not touched");
    }
}
