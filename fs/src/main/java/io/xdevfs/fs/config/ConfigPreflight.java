package io.xdevfs.fs.config;

import io.xdevfs.tiers.DirectoryLock;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.MemoryFilesystems;
import io.xdevfs.tiers.StorageType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code xdevfs config check} can tell about a valid configuration without mounting: whether its
 * directories exist or can be created and no other daemon owns them now, and whether its port is free now. Each finding names the file, line and
 * key it is about (the key's default when the file does not set it).
 */
public final class ConfigPreflight {
    /** One finding; an error means the mount would fail, a warning that it may. */
    public record Finding(boolean error, String text) {
    }

    private final IniFile ini;
    private final List<Finding> findings = new ArrayList<>();

    private ConfigPreflight(IniFile ini) {
        this.ini = ini;
    }

    public static List<Finding> check(IniFile ini, ConfigLoader.Config config) {
        ConfigPreflight p = new ConfigPreflight(ini);
        LocalConfig local = config.local();
        if (local.block() != null) {
            java.nio.file.Path device = local.block().device();
            if (!java.nio.file.Files.exists(device)) {
                p.findings.add(new Finding(true, p.where("block", "block_device") + ": " + device + " does not exist"));
            }
        } else {
            p.directory("local", "base_directory", local.baseDirectory(), local.autoCreateDirs());
            p.notInMemory("local", "base_directory", local);
            io.xdevfs.tiers.Volumes.headerProblem(local).ifPresent(problem ->
                    p.findings.add(new Finding(true, p.where("local", "storage_type") + ": " + problem)));
        }
        if (local.storageType() == StorageType.TMPFS) {
            p.tmpfsDirectories(local);
        }
        if (local.hybrid() != null) { // each tier is a volume of its own: the same checks
            for (String tier : List.of("hot", "cold")) {
                LocalConfig t = tier.equals("hot") ? local.hybrid().hot() : local.hybrid().cold();
                p.directory("hybrid", tier + "_directory", t.baseDirectory(), t.autoCreateDirs());
                if (t.block() == null) {
                    p.notInMemory("hybrid", tier + "_directory", t);
                }
                io.xdevfs.tiers.Volumes.headerProblem(t).ifPresent(problem ->
                        p.findings.add(new Finding(true, p.where("hybrid", tier + "_storage_type") + ": " + problem)));
                if (t.storageType() == StorageType.TMPFS) {
                    p.tmpfsDirectories(t);
                }
            }
        }
        if (config.monitoring().enableMetrics() && config.monitoring().metricsPort() > 0) {
            p.portFree("monitoring", "metrics_port", config.monitoring().metricsPort());
        }
        return p.findings;
    }

    private void tmpfsDirectories(LocalConfig tmpfsVolume) {
        if (tmpfsVolume.tmpfs().backupToDisk()) {
            directory("tmpfs", "backup_directory", tmpfsVolume.tmpfs().backupDirectory(), true);
            onDisk("backup_directory", tmpfsVolume.tmpfs().backupDirectory());
        }
        if (tmpfsVolume.tmpfs().intentLog()) {
            directory("tmpfs", "intent_log_directory", tmpfsVolume.tmpfs().intentLogDirectory(), true);
            onDisk("intent_log_directory", tmpfsVolume.tmpfs().intentLogDirectory());
        }
    }

    /**
     * A memory tier's backups and log must outlive a reboot: on a disk (the loader has already refused
     * them inside the tmpfs's own directory, {@link DirectoryLayout}).
     */
    private void onDisk(String key, Path dir) {
        memoryFilesystem(dir).ifPresent(memory -> findings.add(new Finding(true, where("tmpfs", key) + ": "
                + dir.toAbsolutePath().normalize() + " is on a memory filesystem (" + memory + "): it would not "
                + "survive a reboot; use a directory on a disk")));
    }

    /** A type that keeps its files on disk, given a directory in memory: it mounts, but its fsync survives no reboot. */
    private void notInMemory(String section, String key, LocalConfig volume) {
        if (volume.storageType() == StorageType.TMPFS) {
            return;
        }
        memoryFilesystem(volume.baseDirectory()).ifPresent(memory -> findings.add(new Finding(false, where(section, key)
                + ": " + volume.baseDirectory().toAbsolutePath().normalize() + " is on a memory filesystem (" + memory
                + "): fsync there survives no reboot")));
    }

    /** As the mount sees it ({@link MemoryFilesystems}): "tmpfs at /dev/shm", or empty. */
    private static java.util.Optional<String> memoryFilesystem(Path dir) {
        try {
            return MemoryFilesystems.holding(io.xdevfs.posix.Posix.get(), dir);
        } catch (io.xdevfs.posix.PosixException e) {
            return java.util.Optional.empty(); // the directory checks say what is wrong with it
        }
    }

    private String where(String section, String key) {
        for (IniFile.Entry e : ini.entries) {
            if (e.section().equals(section) && e.key().equals(key)) {
                return ini.where(e.line()) + ": [" + section + "] " + key;
            }
        }
        return ini.file + ": [" + section + "] " + key + " (default)";
    }

    private void directory(String section, String key, Path dir, boolean mayCreate) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            if (!Files.isWritable(abs) || !Files.isReadable(abs)) {
                findings.add(new Finding(true, where(section, key) + ": " + abs + " is not readable and writable by "
                        + "this user"));
            }
            DirectoryLock.ownerNow(io.xdevfs.posix.Posix.get(), abs).ifPresent(owner -> findings.add(new Finding(false,
                    where(section, key) + ": " + abs + " is in use now by " + owner + "; a mount with it is refused "
                    + "until that one is unmounted")));
            return;
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            findings.add(new Finding(true, where(section, key) + ": " + abs + " exists but is not a directory"));
            return;
        }
        if (!mayCreate) {
            findings.add(new Finding(true, where(section, key) + ": " + abs + " does not exist (and auto_create_dirs "
                    + "= false)"));
            return;
        }
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            findings.add(new Finding(true, where(section, key) + ": " + abs + " does not exist and cannot be created"
                    + (existing == null ? "" : " (" + existing + " is not a writable directory)")));
        }
    }

    private void portFree(String section, String key, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            findings.add(new Finding(false, where(section, key) + ": 127.0.0.1:" + port + " is in use now ("
                    + e.getMessage() + "); the mount would fail unless it is free by then"));
        }
    }
}
