package io.xdevfs.fs.config;

import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;

import java.nio.file.Path;
import java.util.List;

/** The {@code [local]} keys every storage type has: where, which type, masks, sync writes, open files. */
final class LocalKeys extends KeyGroup {
    static final List<String> KEYS = List.of("base_directory", "storage_type", "file_permissions", "dir_permissions",
            "use_sync_writes", "auto_create_dirs", "max_open_files");

    private final LocalConfig d = LocalConfig.defaults();
    Path base = d.baseDirectory();
    StorageType type = d.storageType();
    int fileMode = d.filePermissions();
    int dirMode = d.dirPermissions();
    boolean sync = d.useSyncWrites();
    boolean autoCreate = d.autoCreateDirs();
    int maxOpen = d.maxOpenFiles();

    LocalKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "base_directory" -> base = absolutePath(value);
            case "storage_type" -> type = storageType(value);
            case "file_permissions" -> fileMode = Values.octalMode(value);
            case "dir_permissions" -> dirMode = Values.octalMode(value);
            case "use_sync_writes" -> sync = Values.bool(value);
            case "auto_create_dirs" -> autoCreate = Values.bool(value);
            case "max_open_files" -> maxOpen = Values.integer(value, 1, 1_000_000);
            default -> throw new IllegalStateException(key);
        }
    }

    private static Path absolutePath(String v) {
        if (!v.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path");
        }
        return Path.of(v).normalize();
    }

    private static StorageType storageType(String v) {
        StorageType t = StorageType.byName(v).orElseThrow(() -> new IllegalArgumentException(
                "expected one of regular, mmap, direct, tmpfs, block, sparse, compressed, hybrid"));
        if (!t.implemented) {
            throw new IllegalArgumentException("not supported yet (supported now: " + StorageType.implementedNames() + ")");
        }
        return t;
    }

    static String render(LocalConfig c) {
        boolean directory = c.block() == null; // a block volume has no base directory
        return (directory ? "base_directory = " + c.baseDirectory() + "\n" : "")
                + "storage_type = " + c.storageType().configName() + "\n"
                + "file_permissions = " + String.format("%04o", c.filePermissions()) + "\n"
                + "dir_permissions = " + String.format("%04o", c.dirPermissions()) + "\n"
                + "use_sync_writes = " + c.useSyncWrites() + "\n"
                + (directory ? "auto_create_dirs = " + c.autoCreateDirs() + "\n" : "")
                + "max_open_files = " + c.maxOpenFiles() + "\n";
    }
}
