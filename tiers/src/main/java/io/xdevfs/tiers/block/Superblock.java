package io.xdevfs.tiers.block;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * What a formatted device says about itself, stored twice. Each checkpoint writes the copy that does
 * not hold the current generation, so a write torn by a crash damages only that copy and the other
 * still names a complete checkpoint; at mount the valid copy with the higher generation wins. The
 * generation is also the epoch of the checkpoint slot it names ({@code generation % 2}) and of the
 * journal records written after it.
 *
 * <p>{@code files}: how the volume's files store their bytes, as {@link io.xdevfs.tiers.StorageType#onDiskFormat}
 * names it ("raw", "compressed"), empty until the first mount decides it. Layout version 2 added it; a
 * version 1 superblock reads as undecided, and is written as version 2 from its first mount on.
 */
record Superblock(long generation, UUID uuid, String label, Geometry geometry, String files) {
    static final long MAGIC = 0x5844455646534231L; // "XDEVFSB1"
    static final int VERSION = 2;
    static final int MAX_LABEL = 64;
    private static final int MAX_FILES = 32;

    Superblock {
        if (label.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL) {
            throw new IllegalArgumentException("label longer than " + MAX_LABEL + " bytes");
        }
        if (files.getBytes(StandardCharsets.UTF_8).length > MAX_FILES) {
            throw new IllegalArgumentException("file format name longer than " + MAX_FILES + " bytes");
        }
    }

    Superblock(long generation, UUID uuid, String label, Geometry geometry) {
        this(generation, uuid, label, geometry, "");
    }

    /** This superblock recording that the files are stored as {@code format}. */
    Superblock withFiles(String format) {
        return new Superblock(generation, uuid, label, geometry, format);
    }

    int copy() {
        return (int) (generation % 2);
    }

    int slot() {
        return (int) (generation % 2);
    }

    Superblock next() {
        return new Superblock(generation + 1, uuid, label, geometry, files);
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(Geometry.SUPERBLOCK_BYTES);
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        byte[] f = files.getBytes(StandardCharsets.UTF_8);
        b.putLong(MAGIC).putInt(VERSION).putLong(generation).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).putLong(geometry.deviceBytes()).putInt(geometry.sectorSize())
                .putInt(geometry.unitSize()).putLong(geometry.slotBytes()).putLong(geometry.journalBytes())
                .putInt(l.length).put(l).putInt(f.length).put(f);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.clear();
    }

    /** The superblock in {@code b}, or why it is not one (no magic, a bad checksum, a newer version). */
    static Result decode(ByteBuffer b) {
        b = b.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        if (b.remaining() < 128 || b.getLong(0) != MAGIC) {
            return new Result(null, "no xdevfs superblock");
        }
        try {
            b.position(8);
            int version = b.getInt();
            if (version < 1 || version > VERSION) { // a newer layout cannot be read far enough to check it
                return new Result(null, "layout version " + version + " (this build reads versions 1 to " + VERSION + ")");
            }
            long generation = b.getLong();
            UUID uuid = new UUID(b.getLong(), b.getLong());
            long deviceBytes = b.getLong();
            int sector = b.getInt();
            int unit = b.getInt();
            long slot = b.getLong();
            long journal = b.getLong();
            int labelLength = b.getInt();
            if (labelLength < 0 || labelLength > MAX_LABEL) {
                return new Result(null, "damaged (label length " + labelLength + ")");
            }
            byte[] l = new byte[labelLength];
            b.get(l);
            byte[] f = new byte[0];
            if (version >= 2) {
                int filesLength = b.getInt();
                if (filesLength < 0 || filesLength > MAX_FILES) {
                    return new Result(null, "damaged (file format length " + filesLength + ")");
                }
                f = new byte[filesLength];
                b.get(f);
            }
            int end = b.position();
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate().position(0).limit(end));
            if ((int) crc.getValue() != b.getInt()) {
                return new Result(null, "damaged (checksum mismatch)");
            }
            return new Result(new Superblock(generation, uuid, new String(l, StandardCharsets.UTF_8),
                    new Geometry(deviceBytes, sector, unit, slot, journal), new String(f, StandardCharsets.UTF_8)), null);
        } catch (RuntimeException e) {
            return new Result(null, "damaged (" + e.getMessage() + ")");
        }
    }

    /** One copy read back: the superblock, or why not. */
    record Result(Superblock superblock, String problem) {
        Optional<Superblock> valid() {
            return Optional.ofNullable(superblock);
        }
    }

    /** The copy that wins (the valid one of the higher generation), empty when neither is valid. */
    static Optional<Superblock> newest(Result a, Result b) {
        if (a.superblock == null) {
            return b.valid();
        }
        if (b.superblock == null) {
            return a.valid();
        }
        return Optional.of(a.superblock.generation >= b.superblock.generation ? a.superblock : b.superblock);
    }
}
