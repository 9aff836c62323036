package io.xdevfs.tiers.hybrid;

import java.util.Locale;

/** The two places a hybrid volume keeps a file's bytes. */
public enum Tier {
    HOT, COLD;

    public Tier other() {
        return this == HOT ? COLD : HOT;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
