package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;
import io.xdevfs.tiers.cache.BlockCache;
import io.xdevfs.tiers.cache.CachingVolume;
import io.xdevfs.tiers.compressed.ChunkedFiles;
import io.xdevfs.tiers.directory.DirectoryVolume;
import io.xdevfs.tiers.directory.IdCounter;
import io.xdevfs.tiers.directory.VolumeHeader;
import io.xdevfs.tiers.hybrid.HybridVolume;
import io.xdevfs.tiers.tmpfs.DirectoryLocks;
import io.xdevfs.tiers.tmpfs.TmpfsDurability;
import io.xdevfs.tiers.tmpfs.TmpfsMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Opens the volume a configuration describes. */
public final class Volumes {
    private static final String CREATED_BY = "xdevfs " + java.util.Objects.requireNonNullElse(
            Volumes.class.getPackage().getImplementationVersion(), "(development build)");

    /**
     * Prepares the base directory (creating it when allowed) and opens the volume.
     *
     * @throws VolumeException with a one-line reason when the base directory cannot be used
     */
    public static Volume open(LocalConfig config) throws VolumeException {
        return open(config, Posix.get());
    }

    /** {@link #open(LocalConfig)} with every system call of the volume going through {@code posix} (tests inject faults). */
    static Volume open(LocalConfig config, Posix posix) throws VolumeException {
        return open(config, posix, null);
    }

    /** {@code ids}: a file-id counter shared with the volumes this one is composed with (null: its own). */
    static Volume open(LocalConfig config, Posix posix, IdCounter ids) throws VolumeException {
        return open(config, posix, ids, "storage_type = tmpfs");
    }

    /** {@code tmpfsName}: what the durability notices of a tmpfs volume call it. */
    private static Volume open(LocalConfig config, Posix posix, IdCounter ids, String tmpfsName) throws VolumeException {
        if (!config.storageType().implemented) {
            throw new VolumeException("storage_type " + config.storageType().configName()
                    + " is not supported yet (supported: " + StorageType.implementedNames() + ")");
        }
        if (config.storageType() == StorageType.HYBRID) {
            return openHybrid(config, posix);
        }
        Volume volume;
        if (config.storageType() == StorageType.BLOCK) {
            if (config.block() == null) {
                throw new VolumeException("storage_type = block needs [block] block_device");
            }
            volume = io.xdevfs.tiers.block.BlockVolume.open(posix, config, false);
        } else {
            volume = openDirectory(config, posix, ids, tmpfsName);
        }
        // Compressed files cache their decompressed chunks themselves, with the same cache settings.
        boolean readCache = config.cache().readCache() && config.cache().bytes() > 0;
        return readCache && !config.filesStoredAs().cachesItsOwnChunks()
                ? new CachingVolume(volume, config.cache()) : volume;
    }

    /** Whether two directory tiers are on one filesystem (a block tier has no directory: no). */
    private static boolean oneFilesystem(LocalConfig a, LocalConfig b, Posix posix) throws PosixException {
        if (a.storageType() == StorageType.BLOCK || b.storageType() == StorageType.BLOCK) {
            return false;
        }
        return posix.lstatAt(Flags.AT_FDCWD, a.baseDirectory().toString()).dev
                == posix.lstatAt(Flags.AT_FDCWD, b.baseDirectory().toString()).dev;
    }

    /**
     * The namespace over the base directory, then each tier as the volume its own configuration
     * describes (a tmpfs hot tier is mounted, restored and backed up like storage_type = tmpfs).
     */
    private static Volume openHybrid(LocalConfig config, Posix posix) throws VolumeException {
        HybridSettings h = config.hybrid();
        Volume namespace = openDirectory(config, posix, null, "");
        Volume hot = null;
        Volume cold = null;
        try {
            hot = open(h.hot(), posix, null, "the hybrid's hot tier (tmpfs, " + h.hot().baseDirectory() + ")");
            cold = open(h.cold(), posix, null, "the hybrid's cold tier (tmpfs, " + h.cold().baseDirectory() + ")");
            requireOwnTier(h.hot(), "hot_directory");
            requireOwnTier(h.cold(), "cold_directory");
            return new HybridVolume(namespace, hot, cold, h, posix, e -> backgroundFault.accept(e),
                    oneFilesystem(h.hot(), h.cold(), posix));
        } catch (VolumeException e) {
            closeAll(namespace, hot, cold);
            throw e;
        } catch (IOException e) {
            closeAll(namespace, hot, cold);
            throw new VolumeException("cannot open the hybrid volume: " + e.getMessage());
        }
    }

    /** A tier's objects are named by file id: no one else may make or replace names there. */
    private static void requireOwnTier(LocalConfig tier, String key) throws VolumeException {
        if (tier.storageType() != StorageType.BLOCK) {
            OwnFiles.requireOwnDirectory(tier.baseDirectory(), key);
        }
    }

    private static void closeAll(Volume... volumes) {
        for (Volume v : volumes) {
            if (v != null) {
                closeQuietly(v);
            }
        }
    }

    /** The volume over the base directory, of the configured type, without a read cache. */
    private static Volume openDirectory(LocalConfig config, Posix posix, IdCounter ids, String tmpfsName)
            throws VolumeException {
        Path dir = config.baseDirectory().toAbsolutePath().normalize();
        prepareBaseDirectory(dir, config);
        DirectoryLocks tmpfsLocks = new DirectoryLocks();
        DirectoryLock lock;
        try {
            if (config.storageType().needsTmpfs()) {
                // Before the tmpfs is mounted: a mount refused for these directories leaves none behind.
                TmpfsDurability.check(posix, dir, config.tmpfs());
                tmpfsLocks = TmpfsDurability.lockDirectories(posix, config.tmpfs());
                TmpfsMount.ensure(posix, dir, config.tmpfs());
            }
            lock = DirectoryLock.acquire(posix, dir);
        } catch (VolumeException e) {
            tmpfsLocks.close();
            throw e;
        }
        boolean opened = false; // until then, a failure lets go of the directories
        try {
            TmpfsDurability.Recovered recovered = config.storageType().needsTmpfs()
                    ? TmpfsDurability.restore(posix, dir, config.tmpfs(), notice) : null;
            // Before anything is written there: a base of another format is refused untouched.
            VolumeHeader.checkOrAdopt(dir, config.storageType(), CREATED_BY);
            int fd = posix.openat(Flags.AT_FDCWD, io.xdevfs.posix.Names.of(dir), Flags.O_PATH | Flags.O_DIRECTORY, 0);
            String refused = config.storageType().probe(posix, fd, config);
            if (refused != null) {
                posix.close(fd);
                throw new VolumeException("storage_type = " + config.storageType().configName() + " on " + dir + ": "
                        + refused);
            }
            if (!config.storageType().needsTmpfs()) {
                noticeMemoryFilesystem(posix, fd, dir, config);
            }
            Volume volume = new DirectoryVolume(posix, fd, config, lock, ids);
            if (config.storageType().needsTmpfs()) {
                volume = TmpfsDurability.wrap(posix, dir, volume, config.tmpfs(), tmpfsName, recovered, tmpfsLocks, notice,
                        e -> backgroundFault.accept(e));
            }
            opened = true;
            return volume;
        } catch (PosixException e) {
            throw new VolumeException("cannot open base_directory " + dir + ": errno " + e.errno()
                    + (e.errno() == Errno.EACCES ? " (permission denied)" : ""));
        } catch (IOException e) {
            throw new VolumeException("cannot open base_directory " + dir + ": " + e.getMessage());
        } finally {
            if (!opened) {
                tmpfsLocks.close();
                lock.closeQuietly();
            }
        }
    }

    /**
     * A type that keeps its files on disk, given a directory in memory (a tmpfs or ramfs: /tmp on many
     * systems, /dev/shm): the mount works, but its fsync would be taken to mean what it does not.
     */
    private static void noticeMemoryFilesystem(Posix posix, int fd, Path dir, LocalConfig config) throws PosixException {
        if (MemoryFilesystems.isMemory(posix.filesystemType(fd))) {
            notice.accept("storage_type = " + config.storageType().configName() + " over " + dir + ", which is on a "
                    + "memory filesystem: fsync returns once the bytes are in memory, and nothing there survives a reboot "
                    + "(storage_type = tmpfs with backup_to_disk and an intent log makes a memory tier durable)");
        }
    }

    /**
     * Why a mount with {@code config} would refuse its base directory's volume header (another format,
     * damaged, newer), without changing anything; empty when it would mount (or adopt) it.
     */
    public static java.util.Optional<String> headerProblem(LocalConfig config) {
        return VolumeHeader.problem(config.baseDirectory().toAbsolutePath().normalize(), config.storageType());
    }

    private static void closeQuietly(Volume volume) {
        try {
            volume.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    private static volatile java.util.function.Consumer<String> notice = m -> { };
    private static volatile java.util.function.Consumer<Exception> backgroundFault = e -> { };

    /** Where what a volume wants the user to know at mount and unmount (durability, restores) is reported. */
    public static void onNotice(java.util.function.Consumer<String> listener) {
        notice = listener;
    }

    /** Where a fault of a block cache is reported; the cache is off from then on (see BlockCache). */
    public static void onCacheFault(java.util.function.Consumer<RuntimeException> listener) {
        BlockCache.onFault(listener);
    }

    /** Where a failure of background work (compaction of closed compressed files, tmpfs backups) is reported. */
    public static void onBackgroundFault(java.util.function.Consumer<Exception> listener) {
        ChunkedFiles.onFault(listener);
        backgroundFault = listener;
    }

    private static void prepareBaseDirectory(Path dir, LocalConfig config) throws VolumeException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new VolumeException("base_directory " + dir + " exists but is not a directory");
        }
        if (!config.autoCreateDirs()) {
            throw new VolumeException("base_directory " + dir + " does not exist (and auto_create_dirs = false)");
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, permissions(0755 & config.dirPermissions()));
        } catch (IOException e) {
            throw new VolumeException("cannot create base_directory " + dir + ": " + e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        String rwx = "rwxrwxrwx";
        StringBuilder text = new StringBuilder();
        for (int bit = 8; bit >= 0; bit--) {
            text.append((mode & (1 << bit)) != 0 ? rwx.charAt(8 - bit) : '-');
        }
        set.addAll(PosixFilePermissions.fromString(text.toString()));
        return set;
    }

    private Volumes() {
    }
}
