package io.xdevfs.fs.session;

import io.xdevfs.fs.config.KernelOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The FUSE_INIT reply as libfuse2 writes it, and the two flags xdevfs adds to it.
 *
 * <ul>
 *   <li>FUSE_MAX_PAGES: libfuse2 predates it (protocol 7.28, Linux 4.20), so the kernel keeps its default
 *       of 32 pages per request and a 1 MiB write() becomes eight synchronous round trips to the daemon.
 *       The flag, with a max_pages that covers the negotiated max_write, lets one request carry it all.</li>
 *   <li>FUSE_DIRECT_IO_ALLOW_MMAP (in flags2, behind FUSE_INIT_EXT; Linux 6.6): without it the kernel
 *       refuses MAP_SHARED mappings of files opened with FUSE direct_io ({@code enable_page_cache =
 *       false}) with ENODEV, and sqlite3's WAL mode, for one, cannot work there. With it the kernel
 *       serves such mappings from the page cache and keeps them coherent with the direct reads and
 *       writes. A kernel that does not know a flag ignores it.</li>
 * </ul>
 * And, when the mount asks for it ({@link Asks}), FUSE_PASSTHROUGH (flags2, Linux 6.9) with a
 * max_stack_depth of 1: backing files on a filesystem that is not itself stacked may then be registered
 * with the kernel ({@link PassthroughOpens}), which serves reads and writes of files opened that way
 * itself; and the flags of the mount's {@code fuse_*} keys (KernelOptions); the kernel reads these
 * flags for every minor from 6 on. The protocol minor goes from libfuse2's 19 to 23, the first whose
 * daemons get RENAME2 (renameat2 with flags; {@link RenameFlags} answers it, libfuse2 cannot): the
 * kernel's only other use of a minor from 20 to 23 is to add the ctime to the times a writeback-cache
 * mount sends (FATTR_CTIME), which libfuse2 masks off. Older replies (without max_write) are left alone.
 */
public final class InitReply {
    /** struct fuse_out_header: u32 len, s32 error, u64 unique. */
    public static final int HEADER = 16;
    public static final int FUSE_MAX_PAGES = 1 << 22;
    public static final int FUSE_INIT_EXT = 1 << 30;
    public static final int FUSE_HANDLE_KILLPRIV_V2 = 1 << 28;
    public static final int FUSE_ASYNC_DIO = 1 << 15;
    public static final int FUSE_WRITEBACK_CACHE = 1 << 16;
    public static final int FUSE_PARALLEL_DIROPS = 1 << 18;
    public static final int FUSE_CACHE_SYMLINKS = 1 << 23;
    /**
     * The kernel enforces POSIX ACLs (kept as the system.posix_acl_* extended attributes, which the
     * backing filesystem stores, inherits from a directory's default ACL and keeps in step with the mode).
     */
    public static final int FUSE_POSIX_ACL = 1 << 20;
    /**
     * The kernel leaves the caller's umask to the daemon (passing it along), which applies it unless the
     * new file's directory has a default ACL: with POSIX ACLs the kernel would apply it to every mode.
     */
    public static final int FUSE_DONT_MASK = 1 << 6;
    /** Bit 36 of the 64-bit flags, so bit 4 of flags2. */
    static final int FUSE_DIRECT_IO_ALLOW_MMAP_FLAGS2 = 1 << 4;
    /** Bit 37 of the 64-bit flags, so bit 5 of flags2. */
    static final int FUSE_PASSTHROUGH_FLAGS2 = 1 << 5;
    /** struct fuse_init_out offsets: major, minor, max_readahead, flags, ..., max_write, time_gran, max_pages, flags2. */
    private static final int MAJOR = 0;
    private static final int MINOR = 4;
    /** The first protocol minor whose daemons are sent RENAME2. */
    static final int RENAME2_MINOR = 23;
    private static final int FLAGS = 12;
    private static final int MAX_WRITE = 20;
    private static final int MAX_PAGES = 28;
    private static final int FLAGS2 = 32;
    private static final int MAX_STACK_DEPTH = 36;
    /** The reply through flags2 and max_stack_depth; the kernel takes any length up to its own struct's. */
    private static final int THROUGH_FLAGS2 = 40;
    /** Protocol 7.5-7.22's reply, the shortest that carries max_write. */
    private static final int COMPAT_22_SIZE = 24;
    /** fuse_init_out since 7.23. */
    private static final int FULL_SIZE = 64;
    private static final int PROTOCOL_MAJOR = 7;

    /**
     * What the mount asks of the kernel beyond large requests: FUSE passthrough, and {@code flags} to add
     * to the reply's (FUSE_HANDLE_KILLPRIV_V2, FUSE_WRITEBACK_CACHE, FUSE_PARALLEL_DIROPS, FUSE_ASYNC_DIO,
     * FUSE_CACHE_SYMLINKS).
     */
    public record Asks(boolean passthrough, int flags) {
        public static final Asks NOTHING = new Asks(false, 0);

        /** {@code passthrough}: to be asked (the mount wants it and this machine may have it). */
        public static Asks of(boolean passthrough, KernelOptions k) {
            return new Asks(passthrough, (k.handleKillPriv() ? FUSE_HANDLE_KILLPRIV_V2 : 0)
                    | (k.writebackCache() ? FUSE_WRITEBACK_CACHE : 0) | (k.parallelDirops() ? FUSE_PARALLEL_DIROPS : 0)
                    | (k.asyncDio() ? FUSE_ASYNC_DIO : 0) | (k.cacheSymlinks() ? FUSE_CACHE_SYMLINKS : 0));
        }

        /** Also {@code flag}. */
        public Asks with(int flag) {
            return new Asks(passthrough, flags | flag);
        }

        /** Whether the caller's umask is the daemon's to apply (FUSE_DONT_MASK). */
        public boolean dontMask() {
            return (flags & FUSE_DONT_MASK) != 0;
        }

        public boolean handleKillPriv() {
            return (flags & FUSE_HANDLE_KILLPRIV_V2) != 0;
        }

        public boolean writebackCache() {
            return (flags & FUSE_WRITEBACK_CACHE) != 0;
        }
    }

    /** The rewritten message and the max_pages it asks for. */
    public record Patched(ByteBuffer message, int maxPages) {
    }

    /**
     * The INIT reply ({@code header} then {@code outarg}, native order) with both flags set, as one direct
     * buffer ready to write; null when this is not a successful protocol-7 INIT reply with max_write.
     */
    public static Patched extend(ByteBuffer header, ByteBuffer outarg, int pageSize, Asks asks) {
        ByteBuffer h = header.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer in = outarg.duplicate().order(ByteOrder.nativeOrder());
        int size = in.remaining();
        if (h.remaining() != HEADER || h.getInt(h.position() + 4) != 0 || size < COMPAT_22_SIZE || size > FULL_SIZE
                || in.getInt(in.position() + MAJOR) != PROTOCOL_MAJOR) {
            return null;
        }
        int outSize = Math.max(size, THROUGH_FLAGS2);
        ByteBuffer message = ByteBuffer.allocateDirect(HEADER + outSize).order(ByteOrder.nativeOrder());
        message.put(h).put(in).position(0);
        message.putInt(0, HEADER + outSize);
        message.putInt(HEADER + MINOR, Math.max(message.getInt(HEADER + MINOR), RENAME2_MINOR));
        long maxWrite = Integer.toUnsignedLong(message.getInt(HEADER + MAX_WRITE));
        int maxPages = (int) Math.min(0xffff, Math.max(1, (maxWrite + pageSize - 1) / pageSize));
        message.putInt(HEADER + FLAGS, message.getInt(HEADER + FLAGS) | FUSE_MAX_PAGES | FUSE_INIT_EXT);
        message.putShort(HEADER + MAX_PAGES, (short) maxPages);
        message.putInt(HEADER + FLAGS2, message.getInt(HEADER + FLAGS2) | FUSE_DIRECT_IO_ALLOW_MMAP_FLAGS2);
        message.putInt(HEADER + FLAGS, message.getInt(HEADER + FLAGS) | asks.flags());
        if (asks.passthrough()) {
            message.putInt(HEADER + FLAGS2, message.getInt(HEADER + FLAGS2) | FUSE_PASSTHROUGH_FLAGS2);
            message.putInt(HEADER + MAX_STACK_DEPTH, 1);
        }
        return new Patched(message, maxPages);
    }

    private InitReply() {
    }
}
