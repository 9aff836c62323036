package io.xdevfs.fs.config;

import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directories a mount owns are separate, none inside another: the base directory (what the mount
 * shows), a hybrid's tier directories (objects named by file id), a memory tier's backups and intent
 * log. One inside another would show xdevfs's own files through the mount, where a user could change
 * or delete them (a hot tier's backups inside the base directory appeared as a directory on the mount),
 * or put them in a tier that treats whatever it finds as its own, or, inside the tmpfs, in memory.
 */
final class DirectoryLayout {
    static void check(LocalConfig volume, String file, Map<String, String> where, List<String> problems) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        if (volume.storageType() != StorageType.BLOCK) {
            dirs.put("base_directory", volume.baseDirectory());
        }
        HybridSettings h = volume.hybrid();
        if (h != null) {
            tier("hot_directory", h.hot(), dirs);
            tier("cold_directory", h.cold(), dirs);
            memoryTier(h.hot(), dirs);
            memoryTier(h.cold(), dirs);
        } else {
            memoryTier(volume, dirs);
        }
        List<String> keys = List.copyOf(dirs.keySet());
        for (int i = 0; i < keys.size(); i++) {
            for (int j = i + 1; j < keys.size(); j++) {
                Path a = dirs.get(keys.get(i)).toAbsolutePath().normalize();
                Path b = dirs.get(keys.get(j)).toAbsolutePath().normalize();
                if (a.startsWith(b) || b.startsWith(a)) {
                    String line = where.getOrDefault(keys.get(j), where.getOrDefault(keys.get(i), file));
                    problems.add(line + ": " + keys.get(i) + " (" + a + ") and " + keys.get(j) + " (" + b
                            + ") must be separate directories, neither inside the other");
                }
            }
        }
    }

    private static void tier(String key, LocalConfig tier, Map<String, Path> dirs) {
        if (tier.block() == null) {
            dirs.put(key, tier.baseDirectory());
        }
    }

    private static void memoryTier(LocalConfig volume, Map<String, Path> dirs) {
        if (volume.storageType() != StorageType.TMPFS || volume.tmpfs() == null) {
            return;
        }
        if (volume.tmpfs().backupToDisk()) {
            dirs.put("backup_directory", volume.tmpfs().backupDirectory());
        }
        if (volume.tmpfs().intentLog()) {
            dirs.put("intent_log_directory", volume.tmpfs().intentLogDirectory());
        }
    }

    private DirectoryLayout() {
    }
}
