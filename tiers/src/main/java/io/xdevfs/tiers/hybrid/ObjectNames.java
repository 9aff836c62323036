package io.xdevfs.tiers.hybrid;

/**
 * Where a tier keeps a file's bytes: one flat object per file, named by the file's xdevfs id (which
 * no rename, link or move changes), so that a tier needs no namespace of its own. A move writes the
 * copy under the part name and renames it into place once it is complete and synced.
 */
final class ObjectNames {
    private static final String PART = ".part";

    static String of(long id) {
        return "/" + hex(id);
    }

    static String part(long id) {
        return "/" + hex(id) + PART;
    }

    private static String hex(long id) {
        String h = Long.toHexString(id);
        return "0".repeat(16 - h.length()) + h;
    }

    /** The id an object's name stands for, or -1 for a name that is not a complete object. */
    static long idOf(String name) {
        if (name.length() != 16) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(name, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean isPart(String name) {
        return name.length() == 16 + PART.length() && name.endsWith(PART) && idOf(name.substring(0, 16)) != -1;
    }

    /** Removes {@code name} from {@code tier}; a name already gone is fine. */
    static void removeIfPresent(io.xdevfs.tiers.Volume tier, String name) throws java.io.IOException {
        try {
            tier.unlink(name);
        } catch (io.xdevfs.posix.PosixException e) {
            if (e.errno() != io.xdevfs.posix.Errno.ENOENT) {
                throw e;
            }
        }
    }

    private ObjectNames() {
    }
}
