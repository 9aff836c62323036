package io.xdevfs.tiers.hybrid;

import io.xdevfs.tiers.Volume;
import io.xdevfs.tiers.metrics.Metrics;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The volume gauges of a hybrid mount (open files, descriptors, the read cache, compression): each
 * tier registers its own, under the same names. Counts are the sum over both tiers; a ratio, which
 * cannot be added, is the cold tier's (compression happens there), or the hot tier's if only it has one.
 */
final class TierGauges {
    static void register(Metrics metrics, Volume hot, Volume cold) {
        Metrics hotGauges = new Metrics(System::nanoTime);
        Metrics coldGauges = new Metrics(System::nanoTime);
        hot.registerGauges(hotGauges);
        cold.registerGauges(coldGauges);
        Set<String> names = new LinkedHashSet<>(coldGauges.gauges().keySet());
        names.addAll(hotGauges.gauges().keySet());
        for (String name : names) {
            metrics.gauge(name, () -> combined(name, hotGauges.gauge(name), coldGauges.gauge(name)));
        }
    }

    private static Number combined(String name, Number h, Number c) {
        if (h == null || c == null || name.endsWith("_ratio")) {
            return c != null ? c : h;
        }
        boolean whole = h instanceof Long || h instanceof Integer;
        return whole && (c instanceof Long || c instanceof Integer) ? h.longValue() + c.longValue()
                : h.doubleValue() + c.doubleValue();
    }

    private TierGauges() {
    }
}
