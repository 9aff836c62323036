package io.xdevfs.tiers;

/**
 * How backing files get disk space ahead of their data (fallocate with KEEP_SIZE: the logical size
 * does not change, so readers see nothing; only {@code du} does).
 *
 * @param initialBytes allocated when a file is created through the volume ({@code default_file_size}
 *                     with {@code preallocate_files = true}); 0 for none
 * @param extentBytes  when a write ends beyond what is allocated, allocate up to the next multiple of
 *                     this ({@code extent_size}); 0 for none. Fewer, larger allocations keep an
 *                     appending writer's file contiguous and its fdatasync free of block allocation.
 */
public record Preallocation(long initialBytes, long extentBytes) {
    public static final Preallocation NONE = new Preallocation(0, 0);

    public Preallocation {
        if (initialBytes < 0 || extentBytes < 0) {
            throw new IllegalArgumentException("preallocation sizes must not be negative");
        }
    }

    /** The allocation end that covers a write ending at {@code end}: the next extent boundary. */
    public long extentEndFor(long end) {
        return (end + extentBytes - 1) / extentBytes * extentBytes;
    }
}
