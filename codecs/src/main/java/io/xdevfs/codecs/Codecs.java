package io.xdevfs.codecs;

import java.util.List;
import java.util.Optional;

/** The codecs this build has, by name and by persisted id. */
public final class Codecs {
    private static final List<Codec> ALL = List.of(new NoneCodec());

    public static Optional<Codec> byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public static Optional<Codec> byId(int id) {
        return ALL.stream().filter(c -> c.id() == id).findFirst();
    }

    private Codecs() {
    }
}
