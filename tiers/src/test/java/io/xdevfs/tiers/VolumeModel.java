package io.xdevfs.tiers;

import io.xdevfs.posix.Errno;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.PosixException;

import java.io.IOException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RandomModelIT's workload through the Volume API: random writes (in the kernel's pieces), reads,
 * truncates, renames, unlinks, syncs and closes on a few names, several handles per file following it
 * as POSIX says, each step checked against a model of the files. Runs of it on disjoint directories
 * may share a volume with each other and with other threads.
 */
public final class VolumeModel {
    private static final class Node {
        byte[] data = new byte[0];
    }

    private record Handle(Content content, Node node) {
    }

    private VolumeModel() {
    }

    /** What a third thread does to one of the writers' files, by name; ENOENT (gone by now) is skipped. */
    public interface Meddler {
        void meddle(String name, Random rnd) throws IOException;
    }

    /** The third thread opens the file read-write, fsyncs or fdatasyncs it and closes it (a checkpointer). */
    public static Meddler syncs(Volume v) {
        return (name, rnd) -> {
            try (Content c = v.open(name, Flags.O_RDWR)) {
                c.sync(rnd.nextBoolean());
            }
        };
    }

    /** The third thread stats the file and reads it whole through a handle of its own. */
    public static Meddler wholeReads(Volume v) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
        return (name, rnd) -> {
            try (Content c = v.open(name, Flags.O_RDONLY)) {
                long size = v.getattr(name).size;
                for (long at = 0; at < size; at += buf.capacity()) {
                    c.read(buf.clear(), at);
                }
            }
        };
    }

    /**
     * Two runs of {@code ops} operations, in /one and /two, while a third thread meddles with their
     * files without pause. Returns how many meddles succeeded.
     */
    public static long twoWritersAnd(Volume v, long seed, int ops, Meddler meddler) throws Exception {
        v.mkdir("/one", 0755, null);
        v.mkdir("/two", 0755, null);
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Long> third = CompletableFuture.supplyAsync(() -> {
            Random rnd = new Random(seed + 2);
            long n = 0;
            while (!done.get()) {
                String name = (rnd.nextBoolean() ? "/one/" : "/two/") + (char) ('a' + rnd.nextInt(6));
                try {
                    meddler.meddle(name, rnd);
                    n++;
                } catch (PosixException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw new IllegalStateException(name, e);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(name, e);
                }
            }
            return n;
        });
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                run(v, seed + 1, "/two/", ops);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            run(v, seed, "/one/", ops);
            second.get();
        } finally {
            done.set(true);
            // On a failure here the others still use the volume: let them end before it closes.
            CompletableFuture.allOf(second, third).handle((result, failure) -> null).get();
        }
        return third.get();
    }

    /** As {@link #run(Volume, long, String, int)} with 10,000 operations. */
    public static void run(Volume v, long seed, String dir) throws Exception {
        run(v, seed, dir, 10_000);
    }

    /** {@code ops} random operations on the names {@code dir}a to {@code dir}f, each checked against a model. */
    public static void run(Volume v, long seed, String dir, int ops) throws Exception {
        Random rnd = new Random(seed);
        Map<String, Node> names = new HashMap<>();
        List<Handle> handles = new ArrayList<>();
        String[] pool = java.util.stream.Stream.of("a", "b", "c", "d", "e", "f").map(n -> dir + n).toArray(String[]::new);
        try {
            for (int op = 0; op < ops; op++) {
                String context = "op " + op + " (seed " + seed + ")";
                int kind = rnd.nextInt(100);
                if (handles.isEmpty() || kind < 8) {
                    String name = pool[rnd.nextInt(pool.length)];
                    Node node = names.computeIfAbsent(name, n -> new Node());
                    handles.add(new Handle(v.create(name, Flags.O_RDWR, 0644, null), node));
                    if (handles.size() > 8) {
                        handles.remove(0).content().close();
                    }
                } else if (kind < 45) {
                    Handle h = handles.get(rnd.nextInt(handles.size()));
                    int offset = rnd.nextInt(h.node.data.length + 8192);
                    byte[] bytes = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 40_000)];
                    rnd.nextBytes(bytes);
                    for (int done = 0; done < bytes.length; ) { // the kernel's pieces
                        int n = Math.min(bytes.length - done, 4096 - (offset + done) % 4096 + rnd.nextInt(2) * 28672);
                        h.content.write(ByteBuffer.wrap(bytes, done, n), offset + done);
                        done += n;
                    }
                    if (offset + bytes.length > h.node.data.length) {
                        h.node.data = Arrays.copyOf(h.node.data, offset + bytes.length);
                    }
                    System.arraycopy(bytes, 0, h.node.data, offset, bytes.length);
                } else if (kind < 70) {
                    Handle h = handles.get(rnd.nextInt(handles.size()));
                    int offset = rnd.nextInt(h.node.data.length + 100);
                    ByteBuffer buf = ByteBuffer.allocate(1 + rnd.nextInt(50_000));
                    int n = Math.max(0, h.content.read(buf, offset));
                    int expected = Math.max(0, Math.min(buf.capacity(), h.node.data.length - offset));
                    assertEquals(expected, n, context + ": read length");
                    assertArrayEquals(Arrays.copyOfRange(h.node.data, Math.min(offset, h.node.data.length),
                            Math.min(offset, h.node.data.length) + expected), Arrays.copyOf(buf.array(), n), context);
                } else if (kind < 77 && !names.isEmpty()) {
                    String name = pick(rnd, names);
                    int size = rnd.nextInt(names.get(name).data.length * 2 + 100);
                    v.truncate(name, size);
                    names.get(name).data = Arrays.copyOf(names.get(name).data, size);
                } else if (kind < 84 && !names.isEmpty()) {
                    String from = pick(rnd, names);
                    String to = pool[rnd.nextInt(pool.length)];
                    v.rename(from, to, 0);
                    names.put(to, names.remove(from));
                } else if (kind < 89 && !names.isEmpty()) {
                    String name = pick(rnd, names);
                    v.unlink(name);
                    names.remove(name);
                } else if (kind < 95) {
                    handles.get(rnd.nextInt(handles.size())).content.sync(rnd.nextBoolean());
                } else {
                    handles.remove(rnd.nextInt(handles.size())).content().close();
                }
                for (String name : names.keySet()) { // the kernel looks at each file it touches
                    assertEquals(names.get(name).data.length, v.getattr(name).size, context + ": size of " + name);
                }
                if (op % 500 == 499) {
                    verify(v, names, context);
                }
            }
        } finally {
            for (Handle h : handles) {
                h.content.close();
            }
        }
        verify(v, names, "end (seed " + seed + ")");
    }

    private static String pick(Random rnd, Map<String, Node> names) {
        List<String> keys = new ArrayList<>(names.keySet());
        keys.sort(null);
        return keys.get(rnd.nextInt(keys.size()));
    }

    private static void verify(Volume v, Map<String, Node> names, String context) throws Exception {
        for (Map.Entry<String, Node> e : names.entrySet()) {
            assertEquals(e.getValue().data.length, v.getattr(e.getKey()).size, context + ": size of " + e.getKey());
            ByteBuffer b = ByteBuffer.allocate(e.getValue().data.length);
            try (Content c = v.open(e.getKey(), Flags.O_RDONLY)) {
                while (b.hasRemaining() && c.read(b, b.position()) > 0) {
                    // more
                }
            }
            assertArrayEquals(e.getValue().data, b.array(), context + ": " + e.getKey());
        }
    }
}
