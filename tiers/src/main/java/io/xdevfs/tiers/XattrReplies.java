package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.nio.ByteBuffer;

/** getxattr(2)/listxattr(2)'s answer from bytes a volume holds itself: the size for a zero-capacity buffer. */
public final class XattrReplies {
    /** Puts {@code bytes} into {@code into} (ERANGE when they do not fit) and returns their length. */
    public static int answer(byte[] bytes, ByteBuffer into, String operation, String path) throws PosixException {
        if (into.capacity() == 0) {
            return bytes.length;
        }
        if (into.remaining() < bytes.length) {
            throw new PosixException(Errno.ERANGE, operation, path);
        }
        into.put(bytes);
        return bytes.length;
    }

    private XattrReplies() {
    }
}
