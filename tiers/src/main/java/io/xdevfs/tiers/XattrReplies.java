package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

import java.nio.ByteBuffer;

/** getxattr(2)/listxattr(2)'s answer from bytes a volume holds itself: the size for a zero-capacity buffer. */
public final class XattrReplies {
    /**
     * Puts {@code bytes} into {@code into} from its position (ERANGE when they do not fit), which stays
     * where it was, as getxattr(2) through {@link io.xdevfs.posix.Posix} leaves it; returns their length.
     */
    public static int answer(byte[] bytes, ByteBuffer into, String operation, String path) throws PosixException {
        if (into.capacity() == 0) {
            return bytes.length;
        }
        if (into.remaining() < bytes.length) {
            throw new PosixException(Errno.ERANGE, operation, path);
        }
        into.duplicate().put(bytes);
        return bytes.length;
    }

    private XattrReplies() {
    }
}
