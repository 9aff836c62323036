package io.xdevfs.tiers.block;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The two containers of changes on the device. A journal frame holds the changes of one operation,
 * which replay applies all or not at all; a checkpoint holds a whole snapshot. Both carry the volume's
 * id and the epoch (superblock generation) they belong to, and a CRC32C of header and body, so that
 * a frame of an earlier epoch, of an earlier format of the device, or torn by a crash, ends replay.
 */
final class Frames {
    static final int JOURNAL_MAGIC = 0x584A4E4C; // "XJNL"
    static final int CHECKPOINT_MAGIC = 0x58434B50; // "XCKP"
    /** magic, volume, epoch, sequence, body length, then the CRC. */
    static final int JOURNAL_HEADER = 4 + 8 + 8 + 8 + 4 + 4;
    /** magic, volume, epoch, body length, then the CRC. */
    static final int CHECKPOINT_HEADER = 4 + 8 + 8 + 8 + 4;

    static int bodySize(List<Change> changes) {
        int n = 0;
        for (Change c : changes) {
            n += Change.encodedSize(c);
        }
        return n;
    }

    /** Encodes a journal frame into {@code out} (from its position), which must have room for it. */
    static void journalFrame(ByteBuffer out, long volume, long epoch, long sequence, List<Change> changes) {
        int start = out.position();
        int body = bodySize(changes);
        out.putInt(JOURNAL_MAGIC).putLong(volume).putLong(epoch).putLong(sequence).putInt(body);
        int crcAt = out.position();
        out.putInt(0);
        for (Change c : changes) {
            Change.encode(c, out);
        }
        out.putInt(crcAt, crc(out, start, crcAt, out.position()));
    }

    static ByteBuffer checkpoint(long volume, long epoch, List<Change> changes) {
        int body = bodySize(changes);
        ByteBuffer out = ByteBuffer.allocate(CHECKPOINT_HEADER + body);
        out.putInt(CHECKPOINT_MAGIC).putLong(volume).putLong(epoch).putLong(body);
        int crcAt = out.position();
        out.putInt(0);
        for (Change c : changes) {
            Change.encode(c, out);
        }
        out.putInt(crcAt, crc(out, 0, crcAt, out.position()));
        return out.flip();
    }

    /** The CRC32C of [start, crcAt) and [crcAt + 4, end) of {@code b}. */
    private static int crc(ByteBuffer b, int start, int crcAt, int end) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(crcAt).position(start));
        crc.update(b.duplicate().limit(end).position(crcAt + 4));
        return (int) crc.getValue();
    }

    /** A journal frame's header, read before its body; null when it is not the frame expected there. */
    record Header(long sequence, int bodyLength, int crc, ByteBuffer raw) {
        static Header read(ByteBuffer h, long volume, long epoch, long sequence, long room) {
            if (h.getInt(0) != JOURNAL_MAGIC || h.getLong(4) != volume || h.getLong(12) != epoch
                    || h.getLong(20) != sequence) {
                return null;
            }
            int length = h.getInt(28);
            if (length < 0 || length > room - JOURNAL_HEADER) {
                return null;
            }
            return new Header(sequence, length, h.getInt(32), h);
        }

        /** The frame's changes if its body matches the checksum, else null. */
        List<Change> changes(ByteBuffer body) {
            CRC32C c = new CRC32C();
            c.update(raw.duplicate().position(0).limit(32));
            c.update(body.duplicate());
            if ((int) c.getValue() != crc) {
                return null;
            }
            return decode(body);
        }
    }

    /** The changes of a checkpoint slot's content, or null when it is not a valid checkpoint of that epoch. */
    static List<Change> readCheckpoint(ByteBuffer slot, long volume, long epoch) {
        if (slot.remaining() < CHECKPOINT_HEADER || slot.getInt(0) != CHECKPOINT_MAGIC || slot.getLong(4) != volume
                || slot.getLong(12) != epoch) {
            return null;
        }
        long body = slot.getLong(20);
        if (body < 0 || body > slot.remaining() - CHECKPOINT_HEADER) {
            return null;
        }
        ByteBuffer content = slot.duplicate().position(0).limit((int) (CHECKPOINT_HEADER + body));
        if (crc(content, 0, 28, content.limit()) != slot.getInt(28)) {
            return null;
        }
        return decode(content.position(CHECKPOINT_HEADER).slice());
    }

    private static List<Change> decode(ByteBuffer body) {
        List<Change> out = new ArrayList<>();
        ByteBuffer in = body.duplicate();
        try {
            while (in.hasRemaining()) {
                out.add(Change.decode(in));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return out;
    }

    private Frames() {
    }
}
