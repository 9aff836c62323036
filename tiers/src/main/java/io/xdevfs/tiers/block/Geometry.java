package io.xdevfs.tiers.block;

/**
 * Where everything is on a formatted device (layout version 1): two superblock copies in the first
 * 8 KiB, two checkpoint slots, the journal, then the data area in allocation units. Only the sizes are
 * stored; every offset is derived from them here.
 *
 * @param deviceBytes  the device's size when formatted
 * @param sectorSize   the alignment of every data I/O (512 or 4096)
 * @param unitSize     the allocation unit (1-16 MiB, a power of two): a file's bytes are placed in whole units
 * @param slotBytes    each checkpoint slot's size
 * @param journalBytes the journal's size
 */
record Geometry(long deviceBytes, int sectorSize, int unitSize, long slotBytes, long journalBytes) {
    /** The unit of data checksums and of every data I/O. */
    static final int BLOCK = 4096;
    static final int SUPERBLOCK_BYTES = 4096;
    static final long METADATA_START = 64 * 1024;
    static final int MIN_UNIT = 1 << 20;
    static final int MAX_UNIT = 16 << 20;
    static final int MIN_UNITS = 4;

    Geometry {
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size " + sectorSize + ": expected 512 or 4096");
        }
        if (unitSize < MIN_UNIT || unitSize > MAX_UNIT || Integer.bitCount(unitSize) != 1) {
            throw new IllegalArgumentException("allocation unit " + unitSize + ": expected a power of two from 1 MiB to 16 MiB");
        }
        long dataStart = alignUp(METADATA_START + 2 * slotBytes + journalBytes, unitSize);
        long units = (deviceBytes - dataStart) / unitSize;
        if (units < MIN_UNITS) {
            throw new IllegalArgumentException("a device of " + deviceBytes + " bytes leaves " + Math.max(0, units)
                    + " allocation units of " + (unitSize >> 20) + " MiB after " + dataStart
                    + " bytes of metadata; at least " + MIN_UNITS + " are needed");
        }
    }

    /**
     * The layout for a new volume: checkpoint slots of 1/256 of the device (4-256 MiB: checksums take
     * 1/1024 of the data, the rest is names and attributes), a journal of 1/128 (8 MiB-1 GiB).
     */
    static Geometry plan(long deviceBytes, int sectorSize, int unitSize) {
        long slot = clamp(alignUp(deviceBytes / 256, METADATA_START), 4L << 20, 256L << 20);
        long journal = clamp(alignUp(deviceBytes / 128, METADATA_START), 8L << 20, 1L << 30);
        return new Geometry(deviceBytes, sectorSize, unitSize, slot, journal);
    }

    long superblockOffset(int copy) {
        return (long) copy * SUPERBLOCK_BYTES;
    }

    long slotOffset(int slot) {
        return METADATA_START + slot * slotBytes;
    }

    long journalOffset() {
        return METADATA_START + 2 * slotBytes;
    }

    long dataStart() {
        return alignUp(journalOffset() + journalBytes, unitSize);
    }

    long units() {
        return (deviceBytes - dataStart()) / unitSize;
    }

    int blocksPerUnit() {
        return unitSize / BLOCK;
    }

    /** The device offset of a file's block {@code block} held in allocation unit {@code physical}. */
    long blockOffset(long physical, long block) {
        return dataStart() + physical * unitSize + (block % blocksPerUnit()) * BLOCK;
    }

    long unitOffset(long physical) {
        return dataStart() + physical * unitSize;
    }

    static long alignUp(long v, long alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }
}
