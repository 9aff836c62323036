package io.xdevfs.fs;

import io.xdevfs.fs.config.ConfigLoader;
import io.xdevfs.fs.daemon.MemoryBudget;
import io.xdevfs.tiers.CacheSettings;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MemoryBudgetTest {
    private static ConfigLoader.Config with(LocalConfig local) {
        ConfigLoader.Config d = ConfigLoader.Config.defaults();
        return new ConfigLoader.Config(local, d.monitoring(), d.readAheadKb(), d.pageCache(), d.xattrs(), d.kernel());
    }

    @Test
    void theCacheIsOnTheHeapAndEachSessionThreadHoldsARequestBuffer() {
        LocalConfig compressed = LocalConfig.defaults().withStorageType(StorageType.COMPRESSED)
                .withCache(new CacheSettings(true, false, 512L << 20, 0));
        MemoryBudget single = MemoryBudget.of(with(compressed), true);
        assertEquals(MemoryBudget.HEAP_WORKING + (512L << 20), single.heapBytes());
        assertEquals(List.of("-Xmx640m", "-XX:MaxDirectMemorySize=64m"), single.jvmOptions());
        MemoryBudget multi = MemoryBudget.of(with(compressed), false);
        assertEquals(9 * ((1 << 20) + 4096L), multi.nativeBytes() - single.nativeBytes());
        MemoryBudget regular = MemoryBudget.of(with(LocalConfig.defaults()
                .withCache(new CacheSettings(false, false, 512L << 20, 0))), true);
        assertEquals(MemoryBudget.HEAP_WORKING, regular.heapBytes(), "a cache that is off takes nothing");
    }

    /** The tiers' caches count: a hybrid's compressed cold tier filled its chunk cache past a heap sized without it. */
    @Test
    void aHybridsHeapHoldsTheCachesOfItsTiers() {
        LocalConfig d = LocalConfig.defaults();
        LocalConfig cold = d.withStorageType(StorageType.COMPRESSED).withCache(new CacheSettings(true, false, 96L << 20, 0));
        LocalConfig hot = d.withCache(new CacheSettings(true, false, 32L << 20, 0));
        LocalConfig hybrid = d.withHybrid(new io.xdevfs.tiers.HybridSettings(hot, cold, 64L << 20, 0, 60, true, 10, 60, 64L << 20));
        assertEquals(MemoryBudget.HEAP_WORKING + (128L << 20), MemoryBudget.of(with(hybrid), true).heapBytes());
        LocalConfig uncached = hybrid.withHybrid(new io.xdevfs.tiers.HybridSettings(d, d, 64L << 20, 0, 60, true, 10, 60,
                64L << 20));
        assertEquals(MemoryBudget.HEAP_WORKING, MemoryBudget.of(with(uncached), true).heapBytes());
    }

    /** A user's own -Xmx below the budget's heap is named at mount: a full cache would stop the daemon. */
    @Test
    void anXmxBelowTheBudgetIsNamed() {
        MemoryBudget compressed = MemoryBudget.of(with(LocalConfig.defaults().withStorageType(StorageType.COMPRESSED)), true);
        assertEquals(null, compressed.heapShortfall(List.of("-Xmx256m", "-Dx=y")));
        assertEquals(null, compressed.heapShortfall(List.of("-Xmx64m", "-Xmx1g")), "the last -Xmx is the JVM's");
        assertEquals(null, compressed.heapShortfall(List.of("-Dfile.encoding=UTF-8")), "no -Xmx: the JVM's own default");
        String shortfall = compressed.heapShortfall(List.of("-Xmx256m", "-Xmx200M"));
        org.junit.jupiter.api.Assertions.assertTrue(shortfall != null && shortfall.startsWith(
                "-Xmx200m is below the 256 MiB of heap this configuration needs"), shortfall);
        assertEquals(null, compressed.heapShortfall(List.of("-Xmx262144k")));
        assertEquals(null, compressed.heapShortfall(List.of("-Xmx3G")));
        assertEquals(null, compressed.heapShortfall(List.of("-Xmx" + (256L << 20))), "bytes");
        org.junit.jupiter.api.Assertions.assertNotNull(compressed.heapShortfall(List.of("-Xmx" + ((256L << 20) - 1))));
    }
}
