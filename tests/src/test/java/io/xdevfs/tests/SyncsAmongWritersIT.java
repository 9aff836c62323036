package io.xdevfs.tests;

import org.junit.jupiter.api.Test;

import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two programs run RandomModelIT's workload in directories of their own while a third opens their files,
 * fsyncs or fdatasyncs and closes them (a database's checkpointer): requests of three writers interleave
 * in the daemon, syncs run on its sync threads beside the request thread, and a last close hands the
 * format's background work its file. Every read still matches the model. The subclasses name the
 * storage types (the regular type's run is SyncsAmongWritersTest's, below FUSE).
 */
abstract class SyncsAmongWritersIT extends OneMountPerClass {

    @Test
    void syncsAmongTwoWritersChangeNothingTheyRead() throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        System.out.println(getClass().getSimpleName() + " seed = " + seed + " (replay with -Dxdevfs.seed=" + seed + ")");
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Long> syncs = CompletableFuture.supplyAsync(() -> {
            Random rnd = new Random(seed + 2);
            long n = 0;
            while (!done.get()) {
                String name = (rnd.nextBoolean() ? "one/" : "two/") + "abcdef".charAt(rnd.nextInt(6));
                try (FileChannel c = FileChannel.open(fs.path(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    c.force(rnd.nextBoolean());
                    n++;
                } catch (NoSuchFileException e) {
                    // not there (yet, or any more)
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("sync of " + name, e);
                }
            }
            return n;
        });
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                RandomModelIT.model("two", seed + 1, 2_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            RandomModelIT.model("one", seed, 2_000);
            second.get();
        } finally {
            done.set(true);
            // On a failure here the others still hold files open: let them end before the unmount.
            CompletableFuture.allOf(second, syncs).handle((result, failure) -> null).get();
        }
        long synced = syncs.get();
        System.out.println(getClass().getSimpleName() + ": " + synced + " syncs among the writers");
        assertTrue(synced > 0, "the third program synced");
    }
}
