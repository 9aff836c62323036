package io.xdevfs.tiers;

import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.compressed.CompressedFormat;
import io.xdevfs.tiers.directory.ContentFormat;
import io.xdevfs.tiers.directory.DirectoryVolume;
import io.xdevfs.tiers.directory.VolumeHeader;
import io.xdevfs.tiers.format.DirectFormat;
import io.xdevfs.tiers.format.MmapFormat;
import io.xdevfs.tiers.format.SparseFormat;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The seed's storage types, each an object that knows what the engine needs of it: the format its
 * files are stored in ({@link #format}), what it requires of the base directory ({@link #probe},
 * {@link #needsTmpfs}), how its backing files are read ({@link #onDiskFormat}, recorded in the
 * {@link VolumeHeader}), and its capabilities ({@link #fallocateModes},
 * {@link #cachesItsOwnChunks}). {@link #implemented} says which this build can mount. The volume
 * factory ({@link Volumes}) and {@link DirectoryVolume} ask these instead of switching on the type.
 * Config keys stay with the config loader (fs/), for now.
 */
public enum StorageType {
    REGULAR(true),
    MMAP(true, "mmap_size") {
        @Override
        public ContentFormat format(Posix posix, int baseFd, LocalConfig config) {
            return new MmapFormat(posix, config.io().mmapWindow());
        }
    },
    DIRECT(true, "io_alignment") {
        @Override
        public ContentFormat format(Posix posix, int baseFd, LocalConfig config) throws PosixException {
            return new DirectFormat(posix, DirectFormat.alignmentFor(posix, baseFd, config.io().ioAlignment()));
        }

        @Override
        String probe(Posix posix, int baseFd, LocalConfig config) throws PosixException {
            return DirectFormat.probe(posix, baseFd, DirectFormat.alignmentFor(posix, baseFd, config.io().ioAlignment()));
        }
    },
    TMPFS(true, "tmpfs_size", "tmpfs_mount_options", "auto_mount", "backup_to_disk", "backup_interval_sec",
            "backup_directory", "intent_log_directory", "intent_log_size") {
        @Override
        boolean needsTmpfs() {
            return true;
        }

        @Override
        public boolean fsyncIsDurable() {
            return false;
        }
    },
    /** Files on a raw block device in xdevfs's own layout (block package); no base directory. */
    BLOCK(true, "block_device", "sector_size", "use_raw_device", "enable_trim", "queue_depth") {
        @Override
        public String onDiskFormat() {
            return "block";
        }

        @Override
        public int fallocateModes() {
            return Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_ZERO_RANGE;
        }
    },
    SPARSE(true, "enable_sparse", "hole_detection_size", "zero_block_threshold") {
        @Override
        public ContentFormat format(Posix posix, int baseFd, LocalConfig config) {
            return new SparseFormat(config.holeBlockSize());
        }

        @Override
        public int fallocateModes() {
            return Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_ZERO_RANGE;
        }
    },
    COMPRESSED(true, "enable_compression", "compression_type", "compression_level", "compression_threshold",
            "adaptive_compression", "chunk_size") {
        @Override
        public ContentFormat format(Posix posix, int baseFd, LocalConfig config) {
            return new CompressedFormat(config.compression(), config.cache());
        }

        @Override
        public String onDiskFormat() {
            return "compressed";
        }

        @Override
        public boolean cachesItsOwnChunks() {
            return true;
        }

        @Override
        public int fallocateModes() {
            return Flags.FALLOC_FL_KEEP_SIZE | Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_ZERO_RANGE;
        }
    },
    /** Names in the base directory; each file's bytes in a hot or a cold tier of its own type (hybrid package). */
    HYBRID(true, "hot_storage_type", "hot_directory", "hot_cache_size", "hot_access_threshold", "cold_storage_type",
            "cold_directory", "cold_timeout_sec", "cold_enable_compression", "auto_migration", "migration_batch_size",
            "migration_interval_sec", "migration_rate_limit") {
        @Override
        public String onDiskFormat() {
            return VolumeHeader.NAMES_ONLY;
        }
    };

    public final boolean implemented;
    private final java.util.List<String> ownKeys;

    StorageType(boolean implemented, String... ownKeys) {
        this.implemented = implemented;
        this.ownKeys = java.util.List.of(ownKeys);
    }

    /**
     * The configuration keys only this type reads (its [local] keys, or its own section's): set for
     * another type, the loader says they apply only to this one.
     */
    public java.util.List<String> ownKeys() {
        return ownKeys;
    }

    /** How this type stores a file's bytes in its backing file (the raw format unless it says otherwise). */
    public ContentFormat format(Posix posix, int baseFd, LocalConfig config) throws PosixException {
        return ContentFormat.RAW;
    }

    /** Why the base directory open at {@code baseFd} cannot serve this type, or null when it can. */
    String probe(Posix posix, int baseFd, LocalConfig config) throws PosixException {
        return null;
    }

    /** The base directory must be a tmpfs (mounted there by xdevfs when allowed). */
    boolean needsTmpfs() {
        return false;
    }

    /** fsync returns once the data would survive a power cut (a memory tier's does not). */
    public boolean fsyncIsDurable() {
        return true;
    }

    /**
     * "raw" (the backing file's bytes are the file's), "compressed", or "names" (only names: a hybrid's
     * bytes are in its tiers): what a volume header records.
     */
    public String onDiskFormat() {
        return "raw";
    }

    /** Caches decompressed chunks itself, so no read cache goes over it. */
    public boolean cachesItsOwnChunks() {
        return false;
    }

    /**
     * The fallocate(2) modes that do what they say through a mount of this type (beyond mode 0 where
     * the backing store can reserve space): for the raw types, what the backing filesystem supports.
     */
    public int fallocateModes() {
        return FallocateModes.PASS_THROUGH;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<StorageType> byName(String name) {
        return Arrays.stream(values()).filter(t -> t.configName().equals(name)).findFirst();
    }

    public static String implementedNames() {
        return Arrays.stream(values()).filter(t -> t.implemented).map(StorageType::configName)
                .collect(Collectors.joining(", "));
    }
}
