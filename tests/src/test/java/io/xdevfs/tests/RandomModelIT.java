package io.xdevfs.tests;

import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 10,000 random operations (write, read, truncate, rename, unlink, fsync, reopen) through the mount,
 * each checked against an in-memory model of files (inodes) and names. Open handles follow their file
 * through renames and unlinks, as POSIX says. The seed is printed so that a failure can be replayed.
 */
class RandomModelIT extends OneMountPerClass {

    /** A file's bytes, independent of its names. */
    static final class Node {
        byte[] data = new byte[0];

        void write(long offset, byte[] bytes) {
            int end = (int) offset + bytes.length;
            if (end > data.length) {
                data = Arrays.copyOf(data, end);
            }
            System.arraycopy(bytes, 0, data, (int) offset, bytes.length);
        }

        void truncate(int size) {
            data = Arrays.copyOf(data, size);
        }
    }

    record Handle(FileChannel channel, Node node) {
    }

    @Test
    void tenThousandOperationsMatchTheModel() throws Exception {
        long seed = Long.getLong("xdevfs.seed", System.nanoTime());
        System.out.println("RandomModelIT seed = " + seed + " (replay with -Dxdevfs.seed=" + seed + ")");
        model("model", seed, 10_000);
    }

    /**
     * {@code ops} random operations in the new directory {@code dirName} of the mount, checked against
     * the model. Runs on different directories may go on at once.
     */
    static void model(String dirName, long seed, int ops) throws Exception {
        Random rnd = new Random(seed);
        Path dir = Files.createDirectory(fs.path(dirName));
        Map<String, Node> names = new HashMap<>();
        List<Handle> handles = new ArrayList<>();
        String[] pool = {"a", "b", "c", "d", "e", "f"};
        try {
            for (int op = 0; op < ops; op++) {
                String context = "op " + op + " (seed " + seed + ")";
                int kind = rnd.nextInt(100);
                if (handles.isEmpty() || kind < 8) {
                    String name = pool[rnd.nextInt(pool.length)];
                    Node node = names.computeIfAbsent(name, n -> new Node());
                    handles.add(new Handle(FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE,
                            StandardOpenOption.READ, StandardOpenOption.WRITE), node));
                    if (handles.size() > 8) {
                        handles.remove(0).channel().close();
                    }
                } else if (kind < 45) {
                    Handle h = handles.get(rnd.nextInt(handles.size()));
                    long offset = rnd.nextInt(h.node.data.length + 8192);
                    byte[] bytes = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 40_000)];
                    rnd.nextBytes(bytes);
                    h.channel.write(ByteBuffer.wrap(bytes), offset);
                    h.node.write(offset, bytes);
                } else if (kind < 70) {
                    Handle h = handles.get(rnd.nextInt(handles.size()));
                    int offset = rnd.nextInt(h.node.data.length + 100);
                    ByteBuffer buf = ByteBuffer.allocate(1 + rnd.nextInt(50_000));
                    int n = Math.max(0, h.channel.read(buf, offset));
                    int expected = Math.max(0, Math.min(buf.capacity(), h.node.data.length - offset));
                    assertEquals(expected, n, context + ": read length");
                    byte[] want = expected == 0 ? new byte[0]
                            : Arrays.copyOfRange(h.node.data, offset, offset + expected);
                    assertArrayEquals(want,
                            Arrays.copyOf(buf.array(), n), context + ": read bytes");
                } else if (kind < 77 && !names.isEmpty()) {
                    String name = pick(rnd, names);
                    int size = rnd.nextInt(names.get(name).data.length * 2 + 100);
                    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
                        raf.setLength(size);
                    }
                    names.get(name).truncate(size);
                } else if (kind < 84 && !names.isEmpty()) {
                    String from = pick(rnd, names);
                    String to = pool[rnd.nextInt(pool.length)];
                    Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
                    Node node = names.remove(from);
                    names.put(to, node);
                } else if (kind < 89 && !names.isEmpty()) {
                    String name = pick(rnd, names);
                    Files.delete(dir.resolve(name));
                    names.remove(name);
                } else if (kind < 95) {
                    handles.get(rnd.nextInt(handles.size())).channel.force(rnd.nextBoolean());
                } else {
                    handles.remove(rnd.nextInt(handles.size())).channel().close();
                }
                if (op % 500 == 499) {
                    verifyNames(dirName, names, context);
                }
            }
            verifyNames(dirName, names, "end (seed " + seed + ")");
        } finally {
            for (Handle h : handles) {
                h.channel.close();
            }
        }
    }

    private static String pick(Random rnd, Map<String, Node> names) {
        List<String> keys = new ArrayList<>(names.keySet());
        keys.sort(null);
        return keys.get(rnd.nextInt(keys.size()));
    }

    private static void verifyNames(String dirName, Map<String, Node> names, String context) throws Exception {
        Path dir = fs.path(dirName);
        List<String> listed;
        try (var s = Files.list(dir)) {
            listed = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(names.keySet().stream().sorted().toList(), listed, context + ": names");
        for (Map.Entry<String, Node> e : names.entrySet()) {
            assertArrayEquals(e.getValue().data, Files.readAllBytes(dir.resolve(e.getKey())), context + ": " + e.getKey());
            if (rawBacking) {
                assertArrayEquals(e.getValue().data, Files.readAllBytes(fs.base.resolve(dirName).resolve(e.getKey())),
                        context + ": backing file of " + e.getKey());
            }
        }
    }
}
