package io.xdevfs.tiers.hybrid;

import io.xdevfs.posix.DirEntry;
import io.xdevfs.tiers.Volume;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A directory's entries handed to work that may fail, as the listing reads them
 * ({@link Volume#readdir(String, java.util.function.Predicate)}): a tier's flat object directory or a
 * namespace directory may hold millions of names, more than the daemon's heap.
 */
final class Listings {
    @FunctionalInterface
    interface EntryWork {
        void accept(DirEntry entry) throws IOException;
    }

    /** Every entry the volume lists for {@code dir} to {@code work}; the work's first failure ends the walk. */
    static void each(Volume volume, String dir, EntryWork work) throws IOException {
        try {
            volume.readdir(dir, e -> {
                try {
                    work.accept(e);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
                return true;
            });
        } catch (UncheckedIOException x) {
            throw x.getCause();
        }
    }

    private Listings() {
    }
}
