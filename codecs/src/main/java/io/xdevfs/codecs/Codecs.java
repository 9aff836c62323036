package io.xdevfs.codecs;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The codecs this build has, by name and by persisted id. Natives load on first use, not here. */
public final class Codecs {
    private static final List<Codec> ALL = List.of(new NoneCodec(), new Lz4Codec(), new ZstdCodec(),
            new SnappyCodec(), new GzipCodec(), new BrotliCodec());

    public static Optional<Codec> byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public static Optional<Codec> byId(int id) {
        return ALL.stream().filter(c -> c.id() == id).findFirst();
    }

    public static List<Codec> all() {
        return ALL;
    }

    /** "none, lz4, zstd, ..." for messages. */
    public static String names() {
        return ALL.stream().map(Codec::name).collect(Collectors.joining(", "));
    }

    private Codecs() {
    }
}
