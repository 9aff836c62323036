package io.xdevfs.tiers.block;

import io.xdevfs.posix.Names;

import java.nio.ByteBuffer;

/**
 * One change of a block volume's metadata, as the journal and the checkpoints store it. Every change
 * is a state assignment (never "add one"), so replaying a change twice leaves what replaying it once
 * does. Encoded as type (1 byte), payload length (4), payload, big-endian.
 */
sealed interface Change {

    /** Marks a block whose checksum is unknown because nothing was written to it (it reads as zeros). */
    long UNWRITTEN = -1;

    byte type();

    void writePayload(ByteBuffer out);

    int payloadSize();

    /** Every attribute of an inode; creates it when absent. Times are seconds and nanoseconds. */
    record Attributes(long id, int mode, int uid, int gid, long nlink, long size, long rdev, long atimeSec,
                      long atimeNsec, long mtimeSec, long mtimeNsec, long ctimeSec, long ctimeNsec, String target)
            implements Change {
        public byte type() {
            return 1;
        }

        public int payloadSize() {
            return 8 + 4 * 3 + 8 * 9 + 4 + Names.bytes(target).length;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putInt(mode).putInt(uid).putInt(gid).putLong(nlink).putLong(size).putLong(rdev)
                    .putLong(atimeSec).putLong(atimeNsec).putLong(mtimeSec).putLong(mtimeNsec).putLong(ctimeSec)
                    .putLong(ctimeNsec);
            putBytes(out, Names.bytes(target));
        }
    }

    /** A name in a directory: {@code child} 0 removes it. */
    record Entry(long parent, String name, long child) implements Change {
        public byte type() {
            return 2;
        }

        public int payloadSize() {
            return 16 + 4 + Names.bytes(name).length;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(parent).putLong(child);
            putBytes(out, Names.bytes(name));
        }
    }

    /** The allocation unit that holds a file's {@code index}-th unit of bytes: -1 unmaps it. */
    record Unit(long id, long index, long physical) implements Change {
        public byte type() {
            return 3;
        }

        public int payloadSize() {
            return 24;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(index).putLong(physical);
        }
    }

    /** Everything of a file from block {@code fromBlock} on is gone: blocks unwritten, whole units unmapped. */
    record Cut(long id, long fromBlock) implements Change {
        public byte type() {
            return 4;
        }

        public int payloadSize() {
            return 16;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(fromBlock);
        }
    }

    /**
     * The CRC32C of each of a file's blocks from {@code firstBlock} on, as written now. Until that write
     * is known to be on the device, the checksum the block had before stays acceptable too: a crash
     * between this change and the data write leaves the old bytes, which must still read.
     */
    record Checksums(long id, long firstBlock, int[] crcs) implements Change {
        public byte type() {
            return 5;
        }

        public int payloadSize() {
            return 16 + 4 + 4 * crcs.length;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(firstBlock).putInt(crcs.length);
            for (int c : crcs) {
                out.putInt(c);
            }
        }
    }

    /** Blocks that read as zeros from now on (a punched hole). */
    record Unwritten(long id, long firstBlock, long count) implements Change {
        public byte type() {
            return 6;
        }

        public int payloadSize() {
            return 24;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(firstBlock).putLong(count);
        }
    }

    /** An extended attribute: a null value removes it. */
    record Xattr(long id, String name, byte[] value) implements Change {
        public byte type() {
            return 7;
        }

        public int payloadSize() {
            return 8 + 4 + Names.bytes(name).length + 4 + (value == null ? 0 : value.length);
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id);
            putBytes(out, Names.bytes(name));
            if (value == null) {
                out.putInt(-1);
            } else {
                putBytes(out, value);
            }
        }
    }

    /** The inode is gone and its units free. */
    record Delete(long id) implements Change {
        public byte type() {
            return 8;
        }

        public int payloadSize() {
            return 8;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id);
        }
    }

    /**
     * A block's checksum before its last write, still acceptable because that write may not be on the
     * device (checkpoints keep what a replay found): {@link #UNWRITTEN} for "it read as zeros".
     */
    record Earlier(long id, long block, long crc) implements Change {
        public byte type() {
            return 9;
        }

        public int payloadSize() {
            return 24;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(block).putLong(crc);
        }
    }

    /**
     * An allocation unit whose written blocks are about to be overwritten. Journaled and flushed before
     * the first such write after a checkpoint: after a power cut, a block of a dirty unit whose bytes
     * do not match its checksum holds an overwrite that was never synced (old or new bytes, both
     * allowed), not damage, so recovery takes its checksum from the bytes.
     */
    record Dirty(long unit) implements Change {
        public byte type() {
            return 10;
        }

        public int payloadSize() {
            return 8;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(unit);
        }
    }

    /**
     * A file's unit of bytes {@code index}, dirty, after the flush that made it so: every write to it
     * before this change is on the device, so its written blocks' earlier checksums are moot, and until
     * the next checkpoint they may be overwritten in place without a frame (after a crash the mount takes
     * their checksums from their bytes). Committed after that flush, so a replay that finds it knows the
     * flush completed.
     */
    record Settled(long id, long index) implements Change {
        public byte type() {
            return 11;
        }

        public int payloadSize() {
            return 16;
        }

        public void writePayload(ByteBuffer out) {
            out.putLong(id).putLong(index);
        }
    }

    static int encodedSize(Change c) {
        return 5 + c.payloadSize();
    }

    static void encode(Change c, ByteBuffer out) {
        out.put(c.type()).putInt(c.payloadSize());
        c.writePayload(out);
    }

    /** The next change of {@code in}; throws IllegalArgumentException for an unknown type or bad length. */
    static Change decode(ByteBuffer in) {
        byte type = in.get();
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("change of type " + type + " claims " + length + " bytes");
        }
        ByteBuffer p = in.slice(in.position(), length);
        in.position(in.position() + length);
        Change c = switch (type) {
            case 1 -> new Attributes(p.getLong(), p.getInt(), p.getInt(), p.getInt(), p.getLong(), p.getLong(),
                    p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong(),
                    Names.ofBytes(getBytes(p)));
            case 2 -> {
                long parent = p.getLong();
                long child = p.getLong();
                yield new Entry(parent, Names.ofBytes(getBytes(p)), child);
            }
            case 3 -> new Unit(p.getLong(), p.getLong(), p.getLong());
            case 4 -> new Cut(p.getLong(), p.getLong());
            case 5 -> {
                long id = p.getLong();
                long first = p.getLong();
                int[] crcs = new int[checkedCount(p.getInt(), p.remaining() / 4)];
                for (int i = 0; i < crcs.length; i++) {
                    crcs[i] = p.getInt();
                }
                yield new Checksums(id, first, crcs);
            }
            case 6 -> new Unwritten(p.getLong(), p.getLong(), p.getLong());
            case 7 -> {
                long id = p.getLong();
                String name = Names.ofBytes(getBytes(p));
                int n = p.getInt();
                byte[] value = null;
                if (n >= 0) {
                    value = new byte[checkedCount(n, p.remaining())];
                    p.get(value);
                }
                yield new Xattr(id, name, value);
            }
            case 8 -> new Delete(p.getLong());
            case 9 -> new Earlier(p.getLong(), p.getLong(), p.getLong());
            case 10 -> new Dirty(p.getLong());
            case 11 -> new Settled(p.getLong(), p.getLong());
            default -> throw new IllegalArgumentException("unknown change type " + type);
        };
        if (p.hasRemaining()) {
            throw new IllegalArgumentException("change of type " + type + " has " + p.remaining() + " bytes too many");
        }
        return c;
    }

    private static int checkedCount(int n, int available) {
        if (n < 0 || n > available) {
            throw new IllegalArgumentException("count " + n + " exceeds the " + available + " available");
        }
        return n;
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        out.putInt(b.length).put(b);
    }

    private static byte[] getBytes(ByteBuffer in) {
        byte[] b = new byte[checkedCount(in.getInt(), in.remaining())];
        in.get(b);
        return b;
    }
}
