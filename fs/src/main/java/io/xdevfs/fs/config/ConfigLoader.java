package io.xdevfs.fs.config;

import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.HybridSettings;
import io.xdevfs.tiers.IoSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.Preallocation;
import io.xdevfs.tiers.StorageType;
import io.xdevfs.tiers.TmpfsSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the seed's INI file into a {@link LocalConfig}. Every key the seed documents is either
 * applied or rejected as "not supported yet"; unknown sections and keys and bad values are errors
 * naming file, line, key and what is allowed. All problems are reported together.
 */
public final class ConfigLoader {

    /** Seed keys of [local] that have no meaning in xdevfs, with the reason. */
    private static final Map<String, String> NEVER = Map.of(
            "use_aio", "not used by xdevfs: each FUSE request is answered by a synchronous system call on the "
                    + "daemon's own thread, so kernel AIO would overlap nothing",
            "max_events", "not used by xdevfs: it sizes the kernel AIO queue of use_aio, which xdevfs does not use");

    /**
     * The whole file: {@code [local]} and {@code [monitoring]}, and three settings of the mount itself:
     * the kernel's readahead ({@code read_ahead_kb}; -1 leaves the kernel's default), whether the
     * kernel caches file pages of the mount at all ({@code enable_page_cache}), whether the mount
     * serves extended attributes ({@code enable_xattr}), and what it asks of the kernel's FUSE
     * ({@link KernelOptions}).
     */
    public record Config(LocalConfig local, MonitoringConfig monitoring, int readAheadKb, boolean pageCache, boolean xattrs,
            KernelOptions kernel) {
        public static Config defaults() {
            return new Config(LocalConfig.defaults(), MonitoringConfig.defaults(), -1, true, true, KernelOptions.DEFAULTS);
        }
    }

    /** Why a file cannot be read, in the words of strerror ("No such file or directory", ...). */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    public static LocalConfig load(Path file) throws ConfigException {
        return loadAll(file).local();
    }

    public static Config loadAll(Path file) throws ConfigException {
        IniFile ini;
        try {
            ini = IniFile.read(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read the configuration: " + reason(e)));
        }
        List<String> problems = new ArrayList<>(ini.errors);
        LocalKeys local = new LocalKeys();
        PreallocationKeys preallocation = new PreallocationKeys();
        SparseKeys sparse = new SparseKeys();
        CompressionKeys compression = new CompressionKeys();
        CacheKeys cache = new CacheKeys();
        IoKeys io = new IoKeys();
        MountKeys mount = new MountKeys();
        MonitoringKeys monitoring = new MonitoringKeys();
        TmpfsKeys tmpfs = new TmpfsKeys();
        HybridKeys hybrid = new HybridKeys(tmpfs);
        BlockKeys block = new BlockKeys();
        // The one table: each section and the groups that own its keys, in the order the errors list them.
        Map<String, List<KeyGroup>> sections = new TreeMap<>(Map.of(
                "local", List.of(local, preallocation, sparse, compression, cache, io, mount, KeyGroup.never(NEVER)),
                "tmpfs", List.of(tmpfs),
                "monitoring", List.of(monitoring),
                "hybrid", List.of(hybrid),
                "block", List.of(block),
                "tuning", List.of(KeyGroup.notYet("enable_auto_tuning", "tuning_interval_sec", "target_latency_us",
                        "target_iops", "target_cache_hit_ratio")),
                "recovery", List.of(KeyGroup.notYet("enable_checkpoints", "checkpoint_interval_sec",
                        "checkpoint_directory", "max_retries", "retry_delay_ms", "exponential_backoff", "enable_checksums",
                        "enable_redundancy", "redundancy_factor"))));
        Map<String, String> where = new HashMap<>();
        for (IniFile.Entry e : ini.entries) {
            String at = ini.where(e.line()) + ": [" + e.section() + "] " + e.key();
            List<KeyGroup> groups = sections.get(e.section());
            if (groups == null) {
                problems.add(at + ": unknown section [" + e.section() + "] (known: " + String.join(", ", sections.keySet())
                        + ")");
                continue;
            }
            KeyGroup group = groups.stream().filter(g -> g.keys().contains(e.key())).findFirst().orElse(null);
            if (group == null) {
                problems.add(at + ": unknown key (supported keys in [" + e.section() + "]: " + String.join(", ",
                        groups.stream().filter(KeyGroup::supported).flatMap(g -> g.keys().stream()).toList()) + ")");
            } else if (group.supported() && where.putIfAbsent(e.key(), at) != null) {
                problems.add(at + ": set twice");
            } else {
                try {
                    group.parse(e.key(), e.value());
                } catch (KeyGroup.Refusal refused) {
                    problems.add(at + ": " + refused.getMessage());
                } catch (IllegalArgumentException bad) {
                    problems.add(at + " = '" + e.value() + "': " + bad.getMessage());
                }
            }
        }
        StorageType type = local.type;
        boolean onBlock = type == StorageType.BLOCK
                || type == StorageType.HYBRID && (hybrid.hotType == StorageType.BLOCK || hybrid.coldType == StorageType.BLOCK);
        StorageType blockFiles = onBlock ? blockFiles(type, hybrid, compression, sparse, where, problems)
                : StorageType.REGULAR;
        // A hybrid volume's tiers are volumes of their own types: their keys apply too, and so do the keys
        // of the format files on a block device are stored in.
        java.util.Set<StorageType> inUse = type == StorageType.HYBRID
                ? java.util.EnumSet.of(type, hybrid.hotType, hybrid.coldType) : java.util.EnumSet.of(type);
        inUse.add(blockFiles);
        for (StorageType owner : StorageType.values()) {
            for (String key : owner.ownKeys()) {
                boolean choosesBlockFiles = onBlock && (key.equals("enable_compression") || key.equals("enable_sparse"));
                if (!inUse.contains(owner) && where.containsKey(key) && !choosesBlockFiles) {
                    problems.add(where.get(key) + ": applies only to storage_type = " + owner.configName()
                            + (owner == StorageType.COMPRESSED || owner == StorageType.SPARSE ? ", or block with enable_"
                                    + (owner == StorageType.COMPRESSED ? "compression" : "sparse") + " = true" : ""));
                }
            }
        }
        MonitoringConfig monitor = monitoring.config(where, problems);
        KernelOptions kernel = mount.kernel(where, problems, type);
        Tiers tiers = new Tiers(local, preallocation, sparse, compression, cache, io, tmpfs, where, problems);
        LocalConfig volume;
        if (type == StorageType.HYBRID) {
            // The namespace holds only names: the tiers' settings go to the tiers' own configurations.
            List<String> hotProblems = new ArrayList<>();
            List<String> coldProblems = new ArrayList<>();
            LocalConfig hot = tiers.reporting(hotProblems).volume(hybrid.hotType, filesOf(hybrid.hotType, blockFiles),
                    hybrid.hotDirectory, true);
            LocalConfig cold = tiers.reporting(coldProblems).volume(hybrid.coldType, filesOf(hybrid.coldType, blockFiles),
                    hybrid.coldDirectory, false);
            if (hybrid.hotType == StorageType.BLOCK && hybrid.coldType == StorageType.BLOCK) {
                problems.add(where.getOrDefault("cold_storage_type", file.toString())
                        + ": only one tier can be block (one [block] section names one device)");
            } else if (hybrid.hotType == StorageType.BLOCK || hybrid.coldType == StorageType.BLOCK) {
                io.xdevfs.tiers.BlockSettings b = block.settings(StorageType.BLOCK, blockFiles, file, where, problems,
                        false);
                if (b != null && hybrid.hotType == StorageType.BLOCK) {
                    hot = hot.withBlock(b);
                } else if (b != null) {
                    cold = cold.withBlock(b);
                }
            }
            problems.addAll(forEitherTier(hotProblems, coldProblems));
            problems.addAll(forEitherTier(coldProblems, hotProblems));
            volume = LocalConfig.defaults().withBaseDirectory(local.base)
                    .withHybrid(hybrid.settings(hot, cold, where, problems));
            volume = new LocalConfig(local.base, type, local.fileMode, local.dirMode, local.sync, local.autoCreate,
                    local.maxOpen, volume.preallocation(), volume.holeBlockSize(), volume.compression(),
                    volume.cache(), volume.io(), volume.tmpfs(), volume.hybrid());
        } else {
            volume = tiers.volume(type, filesOf(type, blockFiles), local.base, type != StorageType.BLOCK);
            if (type == StorageType.BLOCK) {
                io.xdevfs.tiers.BlockSettings b = block.settings(type, blockFiles, file, where, problems, true);
                if (b != null) {
                    volume = volume.withBlock(b);
                }
            }
        }
        DirectoryLayout.check(volume, file.toString(), where, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(List.copyOf(new java.util.LinkedHashSet<>(problems)));
        }
        return new Config(volume, monitor, mount.readAheadKb, mount.pageCache, mount.xattrs, kernel);
    }

    /**
     * How the files on the block device (of the volume, or of a hybrid's tier) are stored: REGULAR (as
     * they are), compressed with the seed's {@code enable_compression = true} on {@code storage_type = block} or
     * {@code cold_enable_compression = true} on a hybrid's cold block tier, sparse with {@code enable_sparse
     * = true}. One way only: both is a problem.
     */
    private static StorageType blockFiles(StorageType type, HybridKeys hybrid, CompressionKeys compression,
                                          SparseKeys sparse, Map<String, String> where, List<String> problems) {
        boolean compressed = type == StorageType.BLOCK ? Boolean.TRUE.equals(compression.enabled())
                : hybrid.coldType == StorageType.BLOCK && Boolean.TRUE.equals(hybrid.coldCompression);
        boolean sparseFiles = Boolean.TRUE.equals(sparse.enabled());
        if (compressed && sparseFiles) {
            problems.add(where.get("enable_sparse") + " = true: the files on block_device are stored one way, and "
                    + (type == StorageType.BLOCK ? "enable_compression" : "cold_enable_compression")
                    + " = true stores them compressed (compressed files keep holes too)");
        }
        return compressed ? StorageType.COMPRESSED : sparseFiles ? StorageType.SPARSE : StorageType.REGULAR;
    }

    /** The format files of a volume of {@code type} are stored in. */
    private static StorageType filesOf(StorageType type, StorageType blockFiles) {
        return type == StorageType.BLOCK ? blockFiles : type;
    }

    /**
     * A tier's problems that stand: all but a key having no effect on this tier when it has one on the
     * other (cache_size is for the compressed tier even though the tmpfs tier has no read cache).
     */
    private static List<String> forEitherTier(List<String> mine, List<String> other) {
        return mine.stream().filter(p -> !p.contains("has no effect")
                || other.stream().anyMatch(o -> o.startsWith(p.substring(0, p.indexOf(" ")))))
                .toList();
    }

    /** Builds the configuration of one single-tier volume (the mount's, or a hybrid's tier) from the key groups. */
    private record Tiers(LocalKeys local, PreallocationKeys preallocation, SparseKeys sparse, CompressionKeys compression,
                         CacheKeys cache, IoKeys io, TmpfsKeys tmpfs, Map<String, String> where, List<String> problems) {
        Tiers reporting(List<String> to) {
            return new Tiers(local, preallocation, sparse, compression, cache, io, tmpfs, where, to);
        }

        /**
         * {@code files}: the format the files are stored in ({@code type} but on a block device);
         * {@code reserves}: preallocation applies (a hybrid preallocates only in its hot tier, where files
         * are written).
         */
        LocalConfig volume(StorageType type, StorageType files, Path base, boolean reserves) {
            Preallocation reserve = reserves ? preallocation.settings(type, where, problems) : Preallocation.NONE;
            return new LocalConfig(base, type, local.fileMode, local.dirMode, local.sync, local.autoCreate, local.maxOpen,
                    reserve, sparse.holeBlockSize(type, where, problems),
                    compression.settings(files == StorageType.COMPRESSED, where, problems),
                    cache.settings(files, where, problems), io.settings(type, where, problems),
                    tmpfs.settings(type, where, problems));
        }
    }

    /** The effective configuration as INI text, for {@code xdevfs config check}. */
    public static String render(Config c) {
        HybridSettings h = c.local().hybrid();
        LocalConfig onDevice = h == null ? c.local() : h.hot().block() != null ? h.hot() : h.cold();
        return render(c.local()) + MountKeys.render(c) + BlockKeys.render(onDevice) + HybridKeys.render(c.local())
                + TmpfsKeys.render(h != null && h.hot().storageType() == StorageType.TMPFS ? StorageType.TMPFS
                        : h != null ? h.cold().storageType() : c.local().storageType(),
                        h != null && h.hot().storageType() == StorageType.TMPFS ? h.hot().tmpfs()
                        : h != null ? h.cold().tmpfs() : c.local().tmpfs())
                + MonitoringKeys.render(c.monitoring());
    }

    public static String render(LocalConfig c) {
        if (c.hybrid() == null) {
            return "[local]\n" + LocalKeys.render(c) + typeKeys(c);
        }
        // A hybrid's [local] keys configure its tiers: each tier's, once; a key whose value differs by
        // tier is each type's own default (the read cache: off on raw types, on for compressed chunks).
        Map<String, String> lines = new java.util.LinkedHashMap<>();
        java.util.Set<String> differ = new java.util.LinkedHashSet<>();
        for (LocalConfig tier : List.of(c.hybrid().hot(), c.hybrid().cold())) {
            for (String line : typeKeys(tier).split("\n")) {
                String key = line.contains(" = ") ? line.substring(0, line.indexOf(" = ")) : line;
                String before = lines.putIfAbsent(key, line);
                if (before != null && !before.equals(line)) {
                    differ.add(key);
                }
            }
        }
        StringBuilder out = new StringBuilder("[local]\n").append(LocalKeys.render(c));
        lines.forEach((key, line) -> {
            if (!differ.contains(key)) {
                out.append(line).append('\n');
            }
        });
        differ.forEach(key -> out.append("# ").append(key).append(": each tier's type's default\n"));
        return out.toString();
    }

    private static String typeKeys(LocalConfig c) {
        return (c.block() != null ? "" : PreallocationKeys.render(c)) + SparseKeys.render(c)
                + (c.filesStoredAs() == StorageType.COMPRESSED ? CompressionKeys.render(c.compression()) : "")
                + IoKeys.render(c.storageType(), c.io())
                + CacheKeys.render(c.cache());
    }

    private ConfigLoader() {
    }
}
