package io.xdevfs.fs.session;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.ForwardingPosix;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelReplyTest {
    /** Records each message written and refuses the first {@code refusals} with {@code errno}. */
    private static final class Device extends ForwardingPosix {
        final List<ByteBuffer> written = new ArrayList<>();
        int refusals;
        final int errno;

        Device(int refusals, int errno) {
            super(Posix.get());
            this.refusals = refusals;
            this.errno = errno;
        }

        @Override
        public void writeMessage(int fd, ByteBuffer direct) throws PosixException {
            written.add(ByteBuffer.allocate(direct.remaining()).order(ByteOrder.nativeOrder()).put(direct.duplicate()).flip());
            if (refusals > 0) {
                refusals--;
                throw new PosixException(errno, "write", "/dev/fuse");
            }
        }
    }

    private static Device answer(int refusals, int errno) {
        Device device = new Device(refusals, errno);
        ByteBuffer reply = KernelReply.body(8);
        reply.putLong(42);
        KernelReply.send(device, 3, 77, reply);
        return device;
    }

    @Test
    void aTakenReplyIsWrittenOnce() {
        Device device = answer(0, 0);
        assertEquals(1, device.written.size());
        ByteBuffer m = device.written.get(0);
        assertEquals(24, m.getInt(0));
        assertEquals(0, m.getInt(4));
        assertEquals(77, m.getLong(8));
        assertEquals(42, m.getLong(16));
    }

    @Test
    void aRefusedReplyIsFollowedByEioForTheSameRequest() {
        Device device = answer(1, Errno.EINVAL);
        assertEquals(2, device.written.size());
        ByteBuffer m = device.written.get(1);
        assertEquals(KernelReply.OUT_HEADER, m.remaining());
        assertEquals(KernelReply.OUT_HEADER, m.getInt(0));
        assertEquals(-Errno.EIO, m.getInt(4));
        assertEquals(77, m.getLong(8));
    }

    @Test
    void noSecondAnswerWhenNoOneWaits() {
        assertEquals(1, answer(1, Errno.ENOENT).written.size()); // the caller was interrupted
        assertEquals(1, answer(1, Errno.ENODEV).written.size()); // unmounted
    }

    @Test
    void theEioAnswerIsNotRetried() {
        assertEquals(2, answer(5, Errno.EINVAL).written.size());
    }
}
