package io.xdevfs.fs.daemon;

import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.session.FuseSession;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.metrics.Metrics;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's memory, bounded and sized from its configuration. Without a bound the JVM may grow its
 * heap to a quarter of the machine (a compressed mount reached 746 MB RSS during {@code pgbench -i},
 * almost all of it garbage the collector had no reason to return), so the background daemon is started
 * with {@code -Xmx} and {@code -XX:MaxDirectMemorySize} from here:
 *
 * <ul>
 *   <li>heap: {@link #HEAP_WORKING} for request handling, per-file state and metrics, plus the read or
 *       chunk cache ({@code cache_size}), which lives on the heap;</li>
 *   <li>direct buffers: {@link #DIRECT} (per-thread I/O and compression buffers, aligned blocks);</li>
 *   <li>native, outside the JVM's limits: libfuse's 1 MiB request buffer per session thread, and the
 *       JVM's own code, class metadata, thread stacks and collector, {@link #JVM_OWN} (measured).</li>
 * </ul>
 * The total is the figure {@code xdevfs stats} reports as {@code memory_budget_bytes} next to the
 * daemon's resident size; bench/memory.sh shows RSS within it under load.
 */
public record MemoryBudget(long heapBytes, long directBytes, long nativeBytes) {
    public static final long MIB = 1L << 20;
    public static final long HEAP_WORKING = 128 * MIB;
    static final long DIRECT = 64 * MIB;
    static final long JVM_OWN = 96 * MIB;
    /** libfuse2's multithreaded loop keeps up to 10 idle workers; each holds a request buffer. */
    private static final int MAX_SESSION_THREADS = 10;

    public static MemoryBudget of(ConfigLoader.Config config, boolean singleThreaded) {
        long cache = cacheBytes(config.local());
        long requestBuffers = (singleThreaded ? 1 : MAX_SESSION_THREADS) * (FuseSession.MAX_REQUEST + 4096L);
        return new MemoryBudget(HEAP_WORKING + cache, DIRECT, JVM_OWN + requestBuffers);
    }

    /**
     * The read or chunk cache a volume keeps on the heap. A hybrid keeps none of its own: each tier has
     * the cache its type and settings give it (a compressed cold tier, by default, 128 MiB of chunks).
     */
    static long cacheBytes(LocalConfig local) {
        if (local.hybrid() != null) {
            return cacheBytes(local.hybrid().hot()) + cacheBytes(local.hybrid().cold());
        }
        return local.cache().readCache() ? local.cache().bytes() : 0;
    }

    long total() {
        return heapBytes + directBytes + nativeBytes;
    }

    /** The JVM options that hold the heap and direct memory to the budget. */
    public List<String> jvmOptions() {
        return List.of("-Xmx" + heapBytes / MIB + "m", "-XX:MaxDirectMemorySize=" + directBytes / MIB + "m");
    }

    /** True when this JVM runs with a heap limit no larger than the budget's (else the budget is advice). */
    public boolean enforcedHere() {
        return Runtime.getRuntime().maxMemory() <= heapBytes;
    }

    /**
     * Why a heap limit given on the command line ({@code -Xmx}, the last one wins, as in the JVM) cannot
     * hold this budget's heap, or null. A user's own {@code -Xmx} in XDEVFS_JAVA_OPTS overrides the budget;
     * below it, a full read or chunk cache exhausts the heap, and the daemon dies (jffi does not survive
     * a failed allocation).
     */
    public String heapShortfall(List<String> jvmArguments) {
        Long xmx = null;
        for (String a : jvmArguments) {
            if (a.startsWith("-Xmx")) {
                xmx = jvmSize(a.substring(4));
            }
        }
        if (xmx == null || xmx >= heapBytes) {
            return null;
        }
        return "-Xmx" + xmx / MIB + "m is below the " + heapBytes / MIB + " MiB of heap this configuration needs ("
                + HEAP_WORKING / MIB + " MiB plus the read or chunk caches): when the caches fill, the daemon stops; "
                + "raise -Xmx or lower cache_size";
    }

    /** {@link #heapShortfall} of this JVM's own options (a background daemon inherits its mount command's). */
    public String heapShortfallHere() {
        return heapShortfall(ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** A JVM size option's value: bytes, or with k, m, g or t (either case). */
    static long jvmSize(String value) {
        char unit = Character.toLowerCase(value.charAt(value.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? value : value.substring(0, value.length() - 1)) << shift;
    }

    public String describe() {
        return String.format(java.util.Locale.ROOT, "%d MiB (heap %d MiB, direct buffers %d MiB, native %d MiB)",
                total() / MIB, heapBytes / MIB, directBytes / MIB, nativeBytes / MIB);
    }

    /** memory_budget_bytes and what the daemon uses now, for xdevfs stats and Prometheus. */
    public void registerGauges(Metrics metrics) {
        metrics.gauge("memory_budget_bytes", this::total);
        metrics.gauge("memory_rss_bytes", MemoryBudget::residentBytes);
        metrics.gauge("memory_heap_max_bytes", () -> Runtime.getRuntime().maxMemory());
        metrics.gauge("memory_heap_used_bytes", () -> Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        metrics.gauge("memory_direct_used_bytes", MemoryBudget::directUsed);
    }

    private static long directUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /**
     * The resident set (VmRSS), in bytes, from /proc/self/statm ("size resident ..." in pages); 0 where it
     * cannot be read. Not /proc/self/status, which the kernel builds line by line at 3x the cost, paid
     * at every stats call.
     */
    static long residentBytes() {
        try {
            String statm = Files.readString(Path.of("/proc/self/statm"));
            int from = statm.indexOf(' ') + 1;
            int to = statm.indexOf(' ', from);
            return from <= 0 || to < 0 ? 0 : Long.parseLong(statm, from, to, 10) * io.xdevfs.posix.Posix.get().pageSize();
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * glibc gives each thread that mallocs under contention an arena of its own (up to 8 per core), and
     * their pages count in the daemon's RSS outside every JVM limit: with --dispatch multi, libfuse's
     * request threads pushed a compressed mount to 1.12x its budget under four writers (476 MiB of
     * 426), and to 0.96x with two arenas. Two, unless the environment already says otherwise.
     */
    static void limitMallocArenas(java.util.Map<String, String> environment) {
        environment.putIfAbsent("MALLOC_ARENA_MAX", "2");
    }
}
