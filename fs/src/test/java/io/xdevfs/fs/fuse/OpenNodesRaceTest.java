package io.xdevfs.fs.fuse;

import io.xdevfs.fs.session.OpenNodes;
import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Content;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * With several dispatch threads, a file's RELEASE may close the handle {@link OpenNodes} found for a
 * chmod of that file's node: the chmod then goes by its name, as without the handle. It was answered
 * EBADF (3 chmods in 12,000 right after a close, on a real mount with --dispatch multi).
 */
class OpenNodesRaceTest {
    private static final int IN_HEADER = 40;
    private static final int WRITE = 16;
    private static final int SETATTR = 4;
    private static final long NODE = 42;

    @Test
    void aChmodWhoseHandleWasClosedMeanwhileGoesByItsName() {
        Handles handles = new Handles();
        Content closed = (Content) Proxy.newProxyInstance(Content.class.getClassLoader(), new Class<?>[] {Content.class},
                (proxy, method, args) -> {
                    throw new PosixException(Errno.EBADF, "use of a closed file", null);
                });
        long fh = handles.add(closed);
        OpenNodes nodes = new OpenNodes(handles);
        ByteBuffer request = ByteBuffer.allocateDirect(IN_HEADER + 88).order(ByteOrder.LITTLE_ENDIAN);
        long address = Posix.get().address(request);

        request.putInt(0, IN_HEADER + 8).putInt(4, WRITE).putLong(8, 1).putLong(16, NODE).putLong(IN_HEADER, fh);
        nodes.answer(-1, address, IN_HEADER + 8); // a write names the node's open handle

        request.put(0, new byte[IN_HEADER + 88]);
        request.putInt(0, IN_HEADER + 88).putInt(4, SETATTR).putLong(8, 2).putLong(16, NODE)
                .putInt(IN_HEADER, 1) // FATTR_MODE, no handle: chmod(2) by name
                .putInt(IN_HEADER + 68, 0755);
        assertFalse(nodes.answer(-1, address, IN_HEADER + 88), "left to libfuse, which goes by the name");
    }
}
