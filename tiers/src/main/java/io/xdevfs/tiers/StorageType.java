package io.xdevfs.tiers;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The seed's storage types; {@link #implemented} says which this build can mount. */
public enum StorageType {
    REGULAR(true),
    MMAP(true),
    DIRECT(true),
    TMPFS(true),
    BLOCK(false),
    SPARSE(true),
    COMPRESSED(true),
    HYBRID(false);

    public final boolean implemented;

    StorageType(boolean implemented) {
        this.implemented = implemented;
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
