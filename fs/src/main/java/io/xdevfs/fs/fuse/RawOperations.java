package io.xdevfs.fs.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;

/**
 * libfuse2's fuse_operations callbacks with every name as a raw {@code const char *}. jnr-fuse's own
 * callbacks take Strings that jnr-ffi decodes as UTF-8, which maps distinct invalid names to one
 * (see {@link io.xdevfs.posix.Names}); these let {@link XdevFuse} read the bytes itself. One
 * interface per C signature; the jnr-ffi type annotations give the native widths (mode_t is 32 bits).
 * Public because jnr-ffi generates the native-to-Java glue in a class loader of its own.
 */
public final class RawOperations {
    private RawOperations() {
    }

    /** unlink, rmdir. */
    public interface PathOnly {
        @Delegate
        int apply(Pointer path);
    }

    /** getattr, open, opendir, releasedir, statfs, flush, release, utimens. */
    public interface PathPointer {
        @Delegate
        int apply(Pointer path, Pointer p);
    }

    /** fgetattr. */
    public interface PathTwoPointers {
        @Delegate
        int apply(Pointer path, Pointer p, Pointer fi);
    }

    /** symlink, rename, link, removexattr. */
    public interface TwoNames {
        @Delegate
        int apply(Pointer a, Pointer b);
    }

    /** chmod, mkdir. */
    public interface PathMode {
        @Delegate
        int apply(Pointer path, @mode_t long mode);
    }

    public interface Mknod {
        @Delegate
        int apply(Pointer path, @mode_t long mode, @dev_t long rdev);
    }

    public interface Create {
        @Delegate
        int apply(Pointer path, @mode_t long mode, Pointer fi);
    }

    public interface Chown {
        @Delegate
        int apply(Pointer path, @uid_t long uid, @gid_t long gid);
    }

    public interface Truncate {
        @Delegate
        int apply(Pointer path, @off_t long size);
    }

    public interface Ftruncate {
        @Delegate
        int apply(Pointer path, @off_t long size, Pointer fi);
    }

    /** access. */
    public interface PathInt {
        @Delegate
        int apply(Pointer path, int value);
    }

    /** fsync, fsyncdir. */
    public interface Sync {
        @Delegate
        int apply(Pointer path, int dataOnly, Pointer fi);
    }

    /** readlink, listxattr. */
    public interface PathBuffer {
        @Delegate
        int apply(Pointer path, Pointer buf, @size_t long size);
    }

    /** read, write. */
    public interface Io {
        @Delegate
        int apply(Pointer path, Pointer buf, @size_t long size, @off_t long offset, Pointer fi);
    }

    public interface Readdir {
        @Delegate
        int apply(Pointer path, Pointer buf, Pointer filler, @off_t long offset, Pointer fi);
    }

    public interface Getxattr {
        @Delegate
        int apply(Pointer path, Pointer name, Pointer value, @size_t long size);
    }

    public interface Setxattr {
        @Delegate
        int apply(Pointer path, Pointer name, Pointer value, @size_t long size, int flags);
    }

    public interface Fallocate {
        @Delegate
        int apply(Pointer path, int mode, @off_t long offset, @off_t long length, Pointer fi);
    }
}
