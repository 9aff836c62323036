package io.xdevfs.fs.config;

import java.util.List;
import java.util.Map;

/**
 * Keys of one config section that belong together, and the group that owns them: it parses each
 * value as the loader meets it (the loader reports unknown keys, keys set twice and the file and
 * line), and its owner then builds its settings and checks them against each other and the storage
 * type. The sections and their groups are one table in {@link ConfigLoader}.
 */
abstract class KeyGroup {
    private final List<String> keys;

    KeyGroup(List<String> keys) {
        this.keys = keys;
    }

    final List<String> keys() {
        return keys;
    }

    /** Parses one key's value; throws IllegalArgumentException saying what is allowed, or {@link Refusal}. */
    abstract void parse(String key, String value);

    /** Keys a user may set (false for the seed's keys that are refused whatever their value). */
    boolean supported() {
        return true;
    }

    /** The line is wrong whatever its value: the message stands alone, with no "= 'value'". */
    static final class Refusal extends IllegalArgumentException {
        Refusal(String message) {
            super(message);
        }
    }

    /** Seed keys this build does not implement yet: refused, never accepted and ignored. */
    static KeyGroup notYet(String... keys) {
        return refusing(List.of(keys), key -> "not supported yet by this version of xdevfs; remove the line");
    }

    /** Seed keys that mean nothing in xdevfs, each with the reason. */
    static KeyGroup never(Map<String, String> reasons) {
        return refusing(List.copyOf(reasons.keySet()), key -> reasons.get(key) + "; remove the line");
    }

    private static KeyGroup refusing(List<String> keys, java.util.function.Function<String, String> why) {
        return new KeyGroup(keys) {
            @Override
            void parse(String key, String value) {
                throw new Refusal(why.apply(key));
            }

            @Override
            boolean supported() {
                return false;
            }
        };
    }
}
