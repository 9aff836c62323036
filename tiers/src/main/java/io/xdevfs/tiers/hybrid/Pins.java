package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.ReservedAttributes;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Pins (xdevfs tier pin): a file pinned to a tier stays there (the migrator neither demotes nor
 * promotes it; only a full hot tier moves a file pinned hot); a directory pinned to a tier places new
 * files in it there. A file's pin is recorded on its object, and copied by every move; a directory's
 * on the directory in the namespace. Either way in an attribute users cannot set directly.
 */
final class Pins {
    static final String RECORD = ReservedAttributes.COMPOSED_PREFIX + "pin";

    /** The pin of {@code path} in {@code volume}, or null. */
    static Tier of(Volume volume, String path) throws IOException {
        ByteBuffer value = ByteBuffer.allocateDirect(8); // the system call's buffer
        int n;
        try {
            n = volume.getxattr(path, RECORD, value);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.EOPNOTSUPP) {
                return null;
            }
            throw e;
        }
        return parse(StandardCharsets.UTF_8.decode(value.position(0).limit(n)).toString());
    }

    /** "hot" or "cold" (surrounding blanks ignored), or null for anything else. */
    static Tier parse(String text) {
        return switch (text.strip()) {
            case "hot" -> Tier.HOT;
            case "cold" -> Tier.COLD;
            default -> null;
        };
    }

    static void set(Volume volume, String path, Tier tier) throws IOException {
        byte[] name = tier.configName().getBytes(StandardCharsets.UTF_8);
        volume.setxattr(path, RECORD, ByteBuffer.allocateDirect(name.length).put(name).flip(), 0);
    }

    static void clear(Volume volume, String path) throws IOException {
        try {
            volume.removexattr(path, RECORD);
        } catch (PosixException e) {
            if (e.errno() != Errno.ENODATA) {
                throw e;
            }
        }
    }

    private Pins() {
    }
}
