package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

/**
 * The {@code user.xdevfs.} attribute namespace: xdevfs's own attributes (file ids, a hybrid's
 * placement records), which programs on a mount neither see nor change, whatever the storage type.
 */
public final class ReservedAttributes {
    public static final String PREFIX = "user.xdevfs.";
    /**
     * Attributes that a composed volume keeps on the files of its tier volumes (a hybrid's placement
     * record): a tier volume stores them like any other; the composed volume keeps users off them.
     */
    public static final String COMPOSED_PREFIX = PREFIX + "tier.";
    /** A file's xdevfs id, 8 bytes little-endian (directory.FileIds keeps it; a tmpfs copy compares it). */
    public static final String FILE_ID = PREFIX + "id";

    private ReservedAttributes() {
    }

    /** The value of {@link #FILE_ID} (or of the id counter) for {@code id}: 8 bytes little-endian. */
    public static java.nio.ByteBuffer idValue(long id) {
        return java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, id);
    }

    /** An attribute name a volume neither shows nor lets anyone change. */
    public static boolean isReserved(String name) {
        return name.startsWith(PREFIX) && !name.startsWith(COMPOSED_PREFIX);
    }

    /** EPERM for a reserved name, as for an attribute the caller may not change. */
    public static void requireNotReserved(String name) throws PosixException {
        if (isReserved(name)) {
            throw new PosixException(Errno.EPERM, "reserved attribute", name);
        }
    }
}
