package io.xdevfs.fs;

import com.kenai.jffi.MemoryIO;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes fstat(2) of an open file work after it was unlinked. The kernel's GETATTR for fstat names the
 * node but no handle, and libfuse2 looks the node's name up before calling getattr: an unlinked file
 * has none, so the answer was ENOENT. This hook remembers a handle open on each node (from the
 * requests that carry both) and adds it to such a GETATTR, as the kernel does for its own reads;
 * libfuse then asks fgetattr of that handle, which answers from the open file (st_nlink 0 once
 * unlinked, as ext4 says).
 *
 * <p>It answers nothing itself ({@link #answer} is always false): it only edits requests in place,
 * before libfuse reads them. Thread-safe.
 */
final class OpenNodes implements LargeRequestChannel.RequestHook {
    private static final int OPEN = 14;
    private static final int READ = 15;
    private static final int WRITE = 16;
    private static final int RELEASE = 18;
    private static final int FSYNC = 20;
    private static final int FLUSH = 25;
    private static final int FALLOCATE = 43;
    private static final int GETATTR = 3;
    /** fuse_getattr_in.getattr_flags: fh is valid. */
    private static final int FUSE_GETATTR_FH = 1;
    private static final int BODY = LargeRequestChannel.IN_HEADER;

    private final MemoryIO memory = MemoryIO.getInstance();
    /** A node's id to a handle open on it (any one of them). */
    private final Map<Long, Long> handleOfNode = new ConcurrentHashMap<>();
    /** The node of the OPEN request this thread is processing, for {@link #opened}; 0 for none. */
    private final ThreadLocal<long[]> openingNode = ThreadLocal.withInitial(() -> new long[1]);

    @Override
    public boolean answer(int fd, long address, int length) {
        int opcode = memory.getInt(address + 4);
        long node = memory.getLong(address + 16);
        switch (opcode) {
            case OPEN -> openingNode.get()[0] = node;
            case READ, WRITE, FSYNC, FLUSH, FALLOCATE -> {
                if (length >= BODY + 8) {
                    handleOfNode.putIfAbsent(node, memory.getLong(address + BODY)); // fh opens each body
                }
            }
            case RELEASE -> {
                if (length >= BODY + 8) {
                    handleOfNode.remove(node, memory.getLong(address + BODY));
                }
            }
            case GETATTR -> {
                if (length >= BODY + 16 && (memory.getInt(address + BODY) & FUSE_GETATTR_FH) == 0) {
                    Long fh = handleOfNode.get(node);
                    if (fh != null) {
                        memory.putLong(address + BODY + 8, fh);
                        memory.putInt(address + BODY, memory.getInt(address + BODY) | FUSE_GETATTR_FH);
                    }
                }
            }
            default -> {
                // not ours to look at
            }
        }
        return false;
    }

    /** Called by open (on the thread processing the OPEN request) with the handle it made. */
    void opened(long fh) {
        long[] node = openingNode.get();
        if (node[0] != 0) {
            handleOfNode.putIfAbsent(node[0], fh);
            node[0] = 0;
        }
    }
}
