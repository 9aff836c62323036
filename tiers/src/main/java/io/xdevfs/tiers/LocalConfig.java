package io.xdevfs.tiers;

import io.xdevfs.codecs.Codecs;

import java.nio.file.Path;

/**
 * The {@code [local]} settings of a volume, validated.
 *
 * @param filePermissions a mask on the mode of every file created through the volume
 * @param dirPermissions  a mask on the mode of every directory created through the volume; a base
 *                        directory that xdevfs creates gets 0755 under the same mask
 * @param useSyncWrites   open backing files with O_DSYNC, so every write is durable on return
 * @param autoCreateDirs  create the base directory (and its parents) when it is missing
 * @param maxOpenFiles    at most this many files open through the volume at once (ENFILE beyond)
 * @param preallocation   disk space reserved ahead of data ({@link Preallocation#NONE} for none)
 * @param holeBlockSize   {@code storage_type = sparse}: aligned blocks of this many zero bytes are
 *                        stored as holes ({@code hole_detection_size}, a power of two)
 * @param compression     {@code storage_type = compressed}: codec and chunks
 * @param cache           the read cache (on compressed files, the decompressed-chunk cache)
 * @param io              O_DIRECT alignment and mmap windows
 * @param tmpfs           {@code storage_type = tmpfs}: mounting and backing up the memory filesystem
 * @param hybrid          {@code storage_type = hybrid}: the hot and cold tiers' own configurations and the
 *                        placement policy; null for every other type. The base directory of a hybrid
 *                        volume holds its namespace (directories, names, links, attributes)
 * @param block           {@code storage_type = block}: the device and its I/O; null for every other
 *                        type (which keeps nothing in the base directory)
 */
public record LocalConfig(Path baseDirectory, StorageType storageType, int filePermissions, int dirPermissions,
                          boolean useSyncWrites, boolean autoCreateDirs, int maxOpenFiles,
                          Preallocation preallocation, int holeBlockSize, CompressionSettings compression,
                          CacheSettings cache, IoSettings io, TmpfsSettings tmpfs,
                          HybridSettings hybrid, BlockSettings block) {

    public static final int DEFAULT_HOLE_BLOCK_SIZE = 4096;

    public LocalConfig {
        if (Integer.bitCount(holeBlockSize) != 1) {
            throw new IllegalArgumentException("hole block size must be a power of two: " + holeBlockSize);
        }
        if ((storageType == StorageType.HYBRID) != (hybrid != null)) {
            throw new IllegalArgumentException("hybrid settings go with storage_type = hybrid, and only with it");
        }
        if (block != null && storageType != StorageType.BLOCK) {
            throw new IllegalArgumentException("block settings go with storage_type = block only");
        }
    }

    /** Any type but block. */
    public LocalConfig(Path baseDirectory, StorageType storageType, int filePermissions, int dirPermissions,
                       boolean useSyncWrites, boolean autoCreateDirs, int maxOpenFiles, Preallocation preallocation,
                       int holeBlockSize, CompressionSettings compression, CacheSettings cache, IoSettings io,
                       TmpfsSettings tmpfs, HybridSettings hybrid) {
        this(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs, maxOpenFiles,
                preallocation, holeBlockSize, compression, cache, io, tmpfs, hybrid, null);
    }

    /** A single-tier configuration (no hybrid settings). */
    public LocalConfig(Path baseDirectory, StorageType storageType, int filePermissions, int dirPermissions,
                       boolean useSyncWrites, boolean autoCreateDirs, int maxOpenFiles, Preallocation preallocation,
                       int holeBlockSize, CompressionSettings compression, CacheSettings cache, IoSettings io,
                       TmpfsSettings tmpfs) {
        this(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs, maxOpenFiles,
                preallocation, holeBlockSize, compression, cache, io, tmpfs, null);
    }

    /** A configuration with the default hole block size. */
    public LocalConfig(Path baseDirectory, StorageType storageType, int filePermissions, int dirPermissions,
                       boolean useSyncWrites, boolean autoCreateDirs, int maxOpenFiles, Preallocation preallocation) {
        this(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs, maxOpenFiles,
                preallocation, DEFAULT_HOLE_BLOCK_SIZE, defaultCompression(), CacheSettings.defaultsFor(storageType),
                IoSettings.defaults(), TmpfsSettings.defaults());
    }

    /**
     * The seed's example (lz4 level 1, 4 KiB threshold, adaptive) with 128 KiB chunks: one
     * FUSE write (max_write) fills one chunk, and the ratio stays within 3% of compressing whole files
     * (bench/codecs.sh; 64 KiB chunks lose up to 8%).
     */
    public static CompressionSettings defaultCompression() {
        return new CompressionSettings(Codecs.byName("lz4").orElseThrow(), 1, 4096, true, 128 * 1024);
    }

    public static final Path DEFAULT_BASE_DIRECTORY = Path.of("/var/lib/xdevfs/data");

    /** The embedded default: a regular volume in /var/lib/xdevfs/data, no masks, buffered writes. */
    public static LocalConfig defaults() {
        return new LocalConfig(DEFAULT_BASE_DIRECTORY, StorageType.REGULAR, 07777, 07777, false, true, 65536,
                Preallocation.NONE);
    }

    /**
     * The same with another bound on open backing descriptors, a hybrid's tiers included (the daemon fits
     * it to its open-file limit).
     */
    public LocalConfig withMaxOpenFiles(int n) {
        return new LocalConfig(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                n, preallocation, holeBlockSize, compression, cache, io, tmpfs,
                hybrid == null ? null : hybrid.withMaxOpenFiles(n), block);
    }

    public LocalConfig withBaseDirectory(Path dir) {
        return new LocalConfig(dir, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, compression, cache, io, tmpfs, hybrid, block);
    }

    /** Another storage type, with that type's default cache settings. */
    public LocalConfig withStorageType(StorageType type) {
        return new LocalConfig(baseDirectory, type, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, compression, CacheSettings.defaultsFor(type), io, tmpfs,
                type == StorageType.HYBRID ? hybrid : null, type == StorageType.BLOCK ? block : null);
    }

    public LocalConfig withCompression(CompressionSettings settings) {
        return new LocalConfig(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, settings, cache, io, tmpfs, hybrid, block);
    }

    public LocalConfig withIo(IoSettings settings) {
        return new LocalConfig(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, compression, cache, settings, tmpfs, hybrid, block);
    }

    public LocalConfig withTmpfs(TmpfsSettings settings) {
        return new LocalConfig(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, compression, cache, io, settings, hybrid, block);
    }

    /**
     * The type whose format the files' bytes are in: the storage type itself, or for a block volume the
     * format over its device ({@link BlockSettings#files}).
     */
    public StorageType filesStoredAs() {
        return storageType == StorageType.BLOCK && block != null ? block.files() : storageType;
    }

    /** {@code storage_type = block} on this device. */
    public LocalConfig withBlock(BlockSettings settings) {
        return new LocalConfig(baseDirectory, StorageType.BLOCK, filePermissions, dirPermissions, useSyncWrites,
                autoCreateDirs, maxOpenFiles, preallocation, holeBlockSize, compression, cache, io, tmpfs, null, settings);
    }

    /** {@code storage_type = hybrid} with these tiers and policy. */
    public LocalConfig withHybrid(HybridSettings settings) {
        return new LocalConfig(baseDirectory, StorageType.HYBRID, filePermissions, dirPermissions, useSyncWrites,
                autoCreateDirs, maxOpenFiles, preallocation, holeBlockSize, compression, cache, io, tmpfs, settings);
    }

    public LocalConfig withCache(CacheSettings settings) {
        return new LocalConfig(baseDirectory, storageType, filePermissions, dirPermissions, useSyncWrites, autoCreateDirs,
                maxOpenFiles, preallocation, holeBlockSize, compression, settings, io, tmpfs, hybrid, block);
    }
}
