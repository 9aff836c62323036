package io.xdevfs.fs.session;

import io.xdevfs.posix.Flags;
import io.xdevfs.tiers.Content;

import java.io.IOException;

/**
 * Where a WRITE of a file whose descriptor has O_APPEND set lands. Backing files are opened without
 * O_APPEND: the kernel sends with every WRITE the descriptor's flags as they are now, so a program
 * that clears O_APPEND with fcntl(F_SETFL) writes at its offsets again, as on ext4 (a backing file
 * opened with O_APPEND appended every write, whatever the offset). Appends go where the kernel put
 * them, at the size it knows, unless the file is longer than that: under libfuse2 each name of a
 * hard-linked file is its own kernel inode, whose size lags the writes made through the other names,
 * and an append must not overwrite them. Writes of the writeback cache (FUSE_WRITE_CACHE) carry the
 * flags of whatever descriptor the kernel picked and go where the kernel put them.
 */
public final class AppendOffsets {
    /** fuse_write_in.write_flags: a delayed write from the page cache. */
    static final int FUSE_WRITE_CACHE = 1;

    private AppendOffsets() {
    }

    public static long of(Content open, long offset, int writeFlags, int fileFlags) throws IOException {
        if ((writeFlags & FUSE_WRITE_CACHE) != 0 || (fileFlags & Flags.O_APPEND) == 0) {
            return offset;
        }
        return Math.max(offset, open.size());
    }
}
