package io.xdevfs.fs.config;

import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.TmpfsSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code [tmpfs]} keys: the seed's five plus xdevfs's {@code backup_directory}, {@code intent_log_directory}
 * and {@code intent_log_size}; all only for storage_type = tmpfs (or a hybrid's tmpfs tier).
 */
final class TmpfsKeys extends KeyGroup {
    static final List<String> KEYS = List.of("tmpfs_size", "tmpfs_mount_options", "auto_mount", "backup_to_disk",
            "backup_interval_sec", "backup_directory", "intent_log_directory", "intent_log_size");

    private final TmpfsSettings d = TmpfsSettings.defaults();
    private Long size;
    private String options = "";
    private boolean autoMount = d.autoMount();
    private boolean backup = d.backupToDisk();
    private int interval = d.backupInterval();
    private Path directory = d.backupDirectory();
    private Path intentLog = d.intentLogDirectory();
    private long intentLogSize = d.intentLogSize();

    TmpfsKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "tmpfs_size" -> size = Values.size(value);
            case "tmpfs_mount_options" -> options = mountOptions(value);
            case "auto_mount" -> autoMount = Values.bool(value);
            case "backup_to_disk" -> backup = Values.bool(value);
            case "backup_interval_sec" -> interval = Values.integer(value, 1, 7 * 86_400);
            case "backup_directory" -> directory = absolute(value);
            case "intent_log_directory" -> intentLog = absolute(value);
            case "intent_log_size" -> intentLogSize = atLeast(Values.size(value), TmpfsSettings.MIN_INTENT_LOG_SIZE);
            default -> throw new IllegalStateException(key);
        }
    }

    private static String mountOptions(String value) {
        for (String option : value.split(",")) {
            if (!option.strip().matches("[a-z_0-9]+(=[A-Za-z0-9_.:%/+-]+)?")) {
                throw new IllegalArgumentException("expected comma-separated tmpfs mount options, e.g. "
                        + "size=1G,mode=0755,noatime");
            }
        }
        return value.replace(" ", "");
    }

    private static long atLeast(long n, long min) {
        if (n < min) {
            throw new IllegalArgumentException("expected a size of at least " + (min >> 20) + "M");
        }
        return n;
    }

    private static Path absolute(String value) {
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path");
        }
        return Path.of(value).normalize();
    }

    TmpfsSettings settings(StorageType type, Map<String, String> where, List<String> problems) {
        if (type != StorageType.TMPFS) {
            return d; // the loader reports keys of another type (StorageType#ownKeys)
        }
        if (!autoMount) {
            for (String key : List.of("tmpfs_size", "tmpfs_mount_options")) {
                if (where.containsKey(key)) {
                    problems.add(where.get(key) + ": has an effect only with auto_mount = true (when xdevfs mounts "
                            + "the tmpfs); size an existing tmpfs with mount -o remount,size=...");
                }
            }
        }
        if (!backup) {
            for (String key : List.of("backup_interval_sec", "backup_directory")) {
                if (where.containsKey(key)) {
                    problems.add(where.get(key) + ": has an effect only with backup_to_disk = true");
                }
            }
        }
        if (intentLog != null && !backup) {
            problems.add(where.get("intent_log_directory") + ": needs backup_to_disk = true (the backups are the "
                    + "checkpoints that let the intent log be trimmed)");
        }
        if (intentLog == null && where.containsKey("intent_log_size")) {
            problems.add(where.get("intent_log_size") + ": has an effect only with intent_log_directory");
        }
        List<String> all = new ArrayList<>();
        String sizeOption = null;
        for (String option : options.isEmpty() ? new String[0] : options.split(",")) {
            if (option.startsWith("size=")) {
                sizeOption = option;
            }
            all.add(option);
        }
        if (size != null) {
            if (sizeOption != null) {
                problems.add(where.get("tmpfs_size") + ": tmpfs_mount_options has " + sizeOption
                        + " too; give the size once");
            }
            all.add("size=" + size);
        }
        return new TmpfsSettings(autoMount, String.join(",", all), backup, interval, directory, intentLog,
                intentLogSize);
    }

    static String render(StorageType type, TmpfsSettings t) {
        if (type != StorageType.TMPFS) {
            return "";
        }
        return "[tmpfs]\n"
                + "auto_mount = " + t.autoMount() + "\n"
                + (t.autoMount() && !t.mountOptions().isEmpty() ? "tmpfs_mount_options = " + t.mountOptions() + "\n" : "")
                + "backup_to_disk = " + t.backupToDisk() + "\n"
                + (t.backupToDisk() ? "backup_interval_sec = " + t.backupInterval() + "\n"
                        + "backup_directory = " + t.backupDirectory() + "\n" : "")
                + (t.intentLog() ? "intent_log_directory = " + t.intentLogDirectory() + "\n"
                        + "intent_log_size = " + t.intentLogSize() + "\n" : "");
    }
}
