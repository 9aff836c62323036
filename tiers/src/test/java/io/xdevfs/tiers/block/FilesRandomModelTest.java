package io.xdevfs.tiers.block;

import io.xdevfs.codecs.Codecs;
import io.xdevfs.posix.Flags;
import io.xdevfs.posix.Posix;
import io.xdevfs.tiers.BlockSettings;
import io.xdevfs.tiers.CompressionSettings;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.LocalConfig;
import io.xdevfs.tiers.StorageType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A block volume's files (raw, compressed, sparse) driven the way RandomModelIT drives a mount (several
 * handles per file, truncates, renames, unlinks, syncs, and closes that hand work to the compactor),
 * checked against a model, with freed units discarded as by default. No FUSE in between, so many seeds
 * run in seconds: -Dxdevfs.seed=S -Dxdevfs.seeds=N. Found a flush releasing a unit that had been
 * reused since, whose discard then wiped the new file's bytes.
 */
class FilesRandomModelTest {
    @TempDir
    Path tmp;

    static final class Node {
        byte[] data = new byte[0];
    }

    record Handle(Content content, Node node) {
    }

    @ParameterizedTest
    @EnumSource(value = StorageType.class, names = {"REGULAR", "COMPRESSED", "SPARSE"})
    void randomOperationsMatchTheModel(StorageType files) throws Exception {
        long first = Long.getLong("xdevfs.seed", System.nanoTime());
        for (long seed = first; seed < first + Integer.getInteger("xdevfs.seeds", 3); seed++) {
            run(files, seed);
        }
    }

    private void run(StorageType files, long seed) throws Exception {
        Path device = BlockImages.formatted(tmp.resolve("device-" + seed + ".img"));
        LocalConfig config = LocalConfig.defaults()
                .withCompression(new CompressionSettings(Codecs.byName("lz4").orElseThrow(), 1, 512, true, 16 << 10))
                .withBlock(new BlockSettings(device, 0, false, true, 4, files)); // enable_trim on, as by default
        Random rnd = new Random(seed);
        Map<String, Node> names = new HashMap<>();
        List<Handle> handles = new ArrayList<>();
        String[] pool = {"/a", "/b", "/c", "/d", "/e", "/f"};
        try (BlockVolume v = BlockVolume.open(Posix.get(), config, true)) {
            try {
                for (int op = 0; op < 10_000; op++) {
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
    }

    private static String pick(Random rnd, Map<String, Node> names) {
        List<String> keys = new ArrayList<>(names.keySet());
        keys.sort(null);
        return keys.get(rnd.nextInt(keys.size()));
    }

    private static void verify(BlockVolume v, Map<String, Node> names, String context) throws Exception {
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
