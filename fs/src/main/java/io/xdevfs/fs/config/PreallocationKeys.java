package io.xdevfs.fs.config;

import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.StorageType;

import java.util.List;
import java.util.Map;

/** The {@code [local]} keys that reserve disk space ahead of data; they only work together. */
final class PreallocationKeys extends KeyGroup {
    static final List<String> KEYS = List.of("use_fallocate", "preallocate_files", "default_file_size", "extent_size");

    private boolean useFallocate = true;
    private boolean preallocateFiles;
    private long defaultFileSize;
    private long extentSize;

    PreallocationKeys() {
        super(KEYS);
    }

    @Override
    void parse(String key, String value) {
        switch (key) {
            case "use_fallocate" -> useFallocate = Values.bool(value);
            case "preallocate_files" -> preallocateFiles = Values.bool(value);
            case "default_file_size" -> defaultFileSize = Values.size(value);
            case "extent_size" -> extentSize = Values.size(value);
            default -> throw new IllegalStateException(key);
        }
    }

    /** The preallocation; a combination that would do nothing, or that {@code type} cannot do, is a problem. */
    Preallocation settings(StorageType type, Map<String, String> where, List<String> problems) {
        if (defaultFileSize > 0 && !preallocateFiles) {
            problems.add(where.get("default_file_size") + ": has no effect without preallocate_files = true");
        }
        if (preallocateFiles && defaultFileSize == 0) {
            problems.add(where.get("preallocate_files") + ": needs default_file_size (e.g. 16M) to preallocate");
        }
        if (!useFallocate && (preallocateFiles || extentSize > 0)) {
            problems.add(where.get("use_fallocate") + " = false: xdevfs preallocates only with fallocate(2); "
                    + "remove preallocate_files and extent_size or set use_fallocate = true");
        }
        boolean reserves = preallocateFiles || extentSize > 0;
        String line = where.get(preallocateFiles ? "preallocate_files" : "extent_size");
        if (reserves && type == StorageType.SPARSE) {
            problems.add(line + ": preallocation and storage_type = sparse work against each other; use one");
        }
        if (reserves && type == StorageType.COMPRESSED) {
            problems.add(line + ": storage_type = compressed cannot reserve space ahead (compressed sizes are not "
                    + "known in advance); remove it");
        }
        return new Preallocation(preallocateFiles ? defaultFileSize : 0, extentSize);
    }

    static String render(LocalConfig c) {
        return "preallocate_files = " + (c.preallocation().initialBytes() > 0) + "\n"
                + (c.preallocation().initialBytes() > 0
                        ? "default_file_size = " + c.preallocation().initialBytes() + "\n" : "")
                + "extent_size = " + c.preallocation().extentBytes() + "\n";
    }
}
