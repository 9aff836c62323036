package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.posix.PosixException;

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

    /**
     * Prepares the base directory (creating it when allowed) and opens the volume.
     *
     * @throws VolumeException with a one-line reason when the base directory cannot be used
     */
    public static Volume open(LocalConfig config) throws VolumeException {
        if (!config.storageType().implemented) {
            throw new VolumeException("storage_type " + config.storageType().configName()
                    + " is not supported yet (supported: " + StorageType.implementedNames() + ")");
        }
        Path dir = config.baseDirectory().toAbsolutePath().normalize();
        prepareBaseDirectory(dir, config);
        Posix posix = Posix.get();
        try {
            int fd = posix.openat(Flags.AT_FDCWD, dir.toString(), Flags.O_PATH | Flags.O_DIRECTORY, 0);
            Volume volume = new DirectoryVolume(posix, fd, config);
            // Compressed files cache their decompressed chunks themselves, with the same cache settings.
            boolean readCache = config.cache().readCache() && config.cache().bytes() > 0;
            return readCache && config.storageType() != StorageType.COMPRESSED
                    ? new CachingVolume(volume, config.cache()) : volume;
        } catch (PosixException e) {
            throw new VolumeException("cannot open base_directory " + dir + ": errno " + e.errno()
                    + (e.errno() == Errno.EACCES ? " (permission denied)" : ""));
        }
    }

    /** Where a fault of a block cache is reported; the cache is off from then on (see BlockCache). */
    public static void onCacheFault(java.util.function.Consumer<RuntimeException> listener) {
        BlockCache.onFault(listener);
    }

    /** Where a failure of background work (compaction of closed compressed files) is reported. */
    public static void onBackgroundFault(java.util.function.Consumer<Exception> listener) {
        ChunkedFiles.onFault(listener);
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
