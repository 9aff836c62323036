package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Why a file's object is where it is: the record a move leaves on the object it made. */
final class Placement {

    /** "since 2026-12-04T03:00:00Z (not written for 1800 s)", or why a file never moved is where it is. */
    static String describe(Volume tier, String object) throws IOException {
        ByteBuffer value = ByteBuffer.allocateDirect(256); // the system call's buffer
        int length;
        try {
            length = tier.getxattr(object, HybridVolume.PLACED_ATTRIBUTE, value);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENODATA || e.errno() == Errno.EOPNOTSUPP) {
                return "since it was written (new files are written hot)";
            }
            throw e;
        }
        String record = StandardCharsets.UTF_8.decode(value.position(0).limit(length)).toString();
        int space = record.indexOf(' ');
        try {
            return "since " + Instant.ofEpochSecond(Long.parseLong(record.substring(0, space))) + " ("
                    + record.substring(space + 1) + ")";
        } catch (RuntimeException e) {
            return "(placement record unreadable: " + record + ")";
        }
    }

    /** Leaves the record on {@code object}: from now, for {@code reason}. */
    static void record(Volume tier, String object, String reason) throws IOException {
        byte[] record = (System.currentTimeMillis() / 1000 + " " + reason).getBytes(StandardCharsets.UTF_8);
        tier.setxattr(object, HybridVolume.PLACED_ATTRIBUTE, ByteBuffer.allocateDirect(record.length).put(record).flip(), 0);
    }

    private Placement() {
    }
}
