package io.xdevfs.tiers.block;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;

/**
 * The extended-attribute names a Linux filesystem knows: user.*, trusted.*, security.* and the two
 * POSIX ACLs of system.*. The kernel hands a FUSE daemon every name (its handler takes them all), and
 * the block type, which keeps its own attributes, had stored "other.a" where ext4 answers EOPNOTSUPP.
 */
final class XattrNamespaces {
    private XattrNamespaces() {
    }

    static void requireKnown(String name, String operation) throws PosixException {
        boolean known = name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security.")
                || name.equals(AccessAcl.NAME) || name.equals(AccessAcl.DEFAULT);
        if (!known) {
            throw new PosixException(Errno.EOPNOTSUPP, operation, name);
        }
    }
}
