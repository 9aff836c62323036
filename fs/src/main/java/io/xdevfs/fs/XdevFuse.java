package io.xdevfs.fs;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.FsStat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.NotImplemented;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The FUSE boundary: the only class that knows jnr-fuse. Each callback translates types, makes one
 * {@link Volume} or {@link Content} call and answers 0 or a negative errno through {@link Errors};
 * it catches every Throwable, because jnr-fuse turns an escaped exception into "success".
 *
 * <p>Data buffers are not copied: the kernel's request memory is viewed as a direct ByteBuffer and
 * handed to the backing file. POSIX byte-range and flock locks are deliberately left unimplemented
 * ({@link NotImplemented}): the kernel then keeps them itself, which is exact for a local mount.
 */
public final class XdevFuse extends FuseStubFS {
    /** fuse_operations flag bits: nullpath_ok (calls on unlinked open files), utime_omit_ok. */
    private static final int FLAG_NULLPATH_OK = 1;
    private static final int FLAG_UTIME_OMIT_OK = 1 << 2;
    /**
     * struct fuse_file_info (libfuse2, LP64): int flags; unsigned long fh_old; int writepage; then the
     * bit field word (direct_io, keep_cache, flush, nonseekable, ...) at 20; uint64_t fh at 24.
     */
    private static final int BITFIELD_OFFSET = 20;
    private static final int FH_OFFSET = 24;
    private static final int KEEP_CACHE = 1 << 1;
    /**
     * The buffer of a size query (getxattr/listxattr with size 0), shared: it has no room to change.
     * The kernel asks getxattr("security.capability", size 0) before every write, so allocating a
     * direct buffer there would cost an allocation and a Cleaner per write.
     */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final Volume volume;
    private final Handles handles = new Handles();
    private final MemoryIO memory = MemoryIO.getInstance();
    private final long fhOffset;
    /** fuse_file_info's keep_cache bit, or 0 where this jnr-fuse's layout is not the one we know. */
    private final int keepCacheBit;
    private volatile Runnable onMounted = () -> { };
    private volatile ControlXattrs control;
    /**
     * False answers every xattr call with ENOSYS, which the kernel remembers for the whole mount: it then
     * fails them itself (EOPNOTSUPP) and stops asking for security.capability before every write.
     */
    private final boolean xattrs;

    public XdevFuse(Volume volume, boolean xattrs) {
        this.volume = volume;
        this.xattrs = xattrs;
        Pointer ops = Struct.getMemory(fuseOperations);
        long flagsOffset = memberOffset(fuseOperations.flag_nullpath_ok);
        ops.putInt(flagsOffset, ops.getInt(flagsOffset) | FLAG_NULLPATH_OK | FLAG_UTIME_OMIT_OK);
        this.fhOffset = memberOffset(FuseFileInfo.of(Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 64)).fh);
        this.keepCacheBit = fhOffset == FH_OFFSET ? KEEP_CACHE : 0;
        // The data path is registered without jnr-fuse's per-call wrappers (a FuseFileInfo or FileStat
        // object of a dozen field objects for every request): the handle is read straight from
        // fuse_file_info and attributes are written straight into the kernel's stat buffer.
        fuseOperations.getattr.set(this::getattr);
        fuseOperations.fgetattr.set(this::fgetattr);
        fuseOperations.read.set(this::read);
        fuseOperations.write.set(this::write);
        fuseOperations.flush.set(this::flush);
        fuseOperations.fsync.set(this::fsync);
        fuseOperations.release.set(this::release);
    }

    /** Serves the daemon's control attributes of the mount root (stats, health, reset). */
    void control(ControlXattrs control) {
        this.control = control;
    }

    /** jnr-ffi struct members hide offset() (not public API); read it reflectively, once. */
    private static long memberOffset(Object member) {
        try {
            java.lang.reflect.Method offset = Struct.class.getClassLoader().loadClass("jnr.ffi.Struct$Member")
                    .getDeclaredMethod("offset");
            offset.setAccessible(true);
            return (long) offset.invoke(member);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read a struct offset in this jnr-ffi version", e);
        }
    }

    private long handle(Pointer fileInfo) {
        return fileInfo.getLong(fhOffset);
    }

    /**
     * Runs the FUSE session on the calling thread until the file system is unmounted; returns 0 after
     * a normal unmount and 1 when the mount could not start. {@code onMounted} runs once the kernel has
     * completed the handshake, i.e. the mount is serving.
     */
    public int serve(String mountPoint, List<String> fuseArgs, Runnable onMounted) {
        this.onMounted = onMounted;
        return new FuseSession().run(mountPoint, fuseArgs, Struct.getMemory(fuseOperations),
                Struct.size(fuseOperations));
    }

    /** Open handles right now (logged when the daemon unmounts). */
    public int openHandles() {
        return handles.size();
    }

    /** Closes whatever the kernel did not release (after unmount). */
    public List<java.io.IOException> releaseAll() {
        return handles.closeAll();
    }

    /** One operation that answers 0 when it returns and an errno when it throws. */
    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** The error ladder around every callback that answers only 0 or an errno. */
    private static int call(String op, String path, Action action) {
        try {
            action.run();
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno(op, path, t);
        }
    }

    private ByteBuffer view(Pointer buf, long size) {
        return size == 0 ? EMPTY : memory.newDirectByteBuffer(buf.address(), (int) size);
    }

    private Owner caller() {
        FuseContext ctx = getContext();
        return new Owner((int) ctx.uid.get(), (int) ctx.gid.get());
    }

    @Override
    public Pointer init(Pointer conn) {
        onMounted.run();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        handles.closeAll();
    }

    // ---- attributes ------------------------------------------------------------------------------

    @Override
    public int access(String path, int mask) {
        return call("access", path, () -> volume.access(path, mask, caller()));
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, () -> volume.chmod(path, (int) mode));
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, () -> volume.chown(path, (int) uid, (int) gid));
    }

    @Override
    public int utimens(String path, Timespec[] times) {
        return call("utimens", path, () -> {
            volume.utimens(path, times[0].tv_sec.get(), times[0].tv_nsec.longValue(),
                    times[1].tv_sec.get(), times[1].tv_nsec.longValue());
        });
    }

    @Override
    public int statfs(String path, Statvfs out) {
        return call("statfs", path, () -> {
            FsStat s = volume.statfs();
            out.f_bsize.set(s.blockSize());
            out.f_frsize.set(s.fragmentSize());
            out.f_blocks.set(s.blocks());
            out.f_bfree.set(s.blocksFree());
            out.f_bavail.set(s.blocksAvailable());
            out.f_files.set(s.files());
            out.f_ffree.set(s.filesFree());
            out.f_favail.set(s.filesAvailable());
            out.f_namemax.set(s.nameMax());
        });
    }

    // ---- names -------------------------------------------------------------------------------------

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, () -> volume.mkdir(path, (int) mode, caller()));
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> volume.rmdir(path));
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> volume.unlink(path));
    }

    @Override
    public int rename(String from, String to) {
        return call("rename", from, () -> volume.rename(from, to, 0));
    }

    @Override
    public int symlink(String target, String path) {
        return call("symlink", path, () -> volume.symlink(target, path, caller()));
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> {
            byte[] target = volume.readlink(path).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // FUSE wants a NUL-terminated string, truncated to the buffer like readlink(2).
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
        });
    }

    @Override
    public int link(String existing, String newPath) {
        return call("link", newPath, () -> volume.link(existing, newPath));
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> volume.mknod(path, (int) mode, rdev, caller()));
    }

    @Override
    public int truncate(String path, long size) {
        return call("truncate", path, () -> volume.truncate(path, size));
    }

    // ---- directories -----------------------------------------------------------------------------

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return call("opendir", path, () -> {
            if (!volume.getattr(path).isDirectory()) {
                throw new io.xdevfs.posix.PosixException(io.xdevfs.posix.Errno.ENOTDIR, "opendir", path);
            }
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            List<DirEntry> entries = volume.readdir(path);
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (DirEntry e : entries) {
                if (filler.apply(buf, e.name(), null, 0) != 0) {
                    break;
                }
            }
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        return call("fsyncdir", path, () -> volume.syncDirectory(path));
    }

    // ---- open files --------------------------------------------------------------------------------

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, () -> opened(volume.create(path, fi.flags.get(), (int) mode, caller()), fi));
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> opened(volume.open(path, fi.flags.get()), fi));
    }

    /**
     * Registers the handle and lets the kernel keep the file's page cache across opens when that is
     * coherent: libfuse2's path API gives every name its own kernel inode, so only a file with one
     * name has all its writes pass through the inode that caches it. A hard-linked file starts each
     * open with an empty cache, as without keep_cache.
     */
    private void opened(Content content, FuseFileInfo fi) throws java.io.IOException {
        fi.fh.set(handles.add(content));
        if (keepCacheBit != 0 && content.attributes().nlink == 1) {
            Pointer p = Struct.getMemory(fi);
            p.putInt(BITFIELD_OFFSET, p.getInt(BITFIELD_OFFSET) | keepCacheBit);
        }
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> handles.get(fi.fh.get()).truncate(size));
    }

    @Override
    public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
        return call("fallocate", path, () -> handles.get(fi.fh.get()).allocate(mode, offset, length));
    }

    // ---- the data path (registered in the constructor) -------------------------------------------

    private int getattr(String path, Pointer stat) {
        return call("getattr", path, () -> volume.getattr(path).writeTo(stat));
    }

    private int fgetattr(String path, Pointer stat, Pointer fi) {
        return call("fgetattr", path, () -> handles.get(handle(fi)).attributes().writeTo(stat));
    }

    private int read(String path, Pointer buf, long size, long offset, Pointer fi) {
        try {
            return handles.get(handle(fi)).read(view(buf, size), offset);
        } catch (Throwable t) {
            return Errors.toErrno("read", path, t);
        }
    }

    private int write(String path, Pointer buf, long size, long offset, Pointer fi) {
        try {
            return handles.get(handle(fi)).write(view(buf, size), offset);
        } catch (Throwable t) {
            return Errors.toErrno("write", path, t);
        }
    }

    /** close(2) on the mount: nothing is buffered here, so there is nothing to push; the handle must exist. */
    private int flush(String path, Pointer fi) {
        return call("flush", path, () -> handles.get(handle(fi)));
    }

    private int fsync(String path, int isdatasync, Pointer fi) {
        return call("fsync", path, () -> handles.get(handle(fi)).sync(isdatasync != 0));
    }

    private int release(String path, Pointer fi) {
        return call("release", path, () -> handles.release(handle(fi)));
    }

    @NotImplemented
    @Override
    public int lock(String path, FuseFileInfo fi, int cmd, Flock flock) {
        return -io.xdevfs.posix.Errno.ENOSYS;
    }

    @NotImplemented
    @Override
    public int flock(String path, FuseFileInfo fi, int op) {
        return -io.xdevfs.posix.Errno.ENOSYS;
    }

    // ---- extended attributes -----------------------------------------------------------------------

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        ControlXattrs c = control;
        if (c != null && ControlXattrs.handles(path, name)) {
            return call("setxattr", path, () -> c.set(name));
        }
        return call("setxattr", path, () -> volume.setxattr(path, name, view(value, size), flags));
    }

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        try {
            ControlXattrs c = control;
            if (c != null && ControlXattrs.handles(path, name)) {
                byte[] bytes = c.get(name);
                if (size == 0) {
                    return bytes.length;
                }
                if (size < bytes.length) {
                    return -io.xdevfs.posix.Errno.ERANGE;
                }
                value.put(0, bytes, 0, bytes.length);
                return bytes.length;
            }
            return volume.getxattr(path, name, view(value, size));
        } catch (Throwable t) {
            return Errors.toErrno("getxattr", path, t);
        }
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        try {
            return volume.listxattr(path, view(list, size));
        } catch (Throwable t) {
            return Errors.toErrno("listxattr", path, t);
        }
    }

    @Override
    public int removexattr(String path, String name) {
        if (!xattrs) {
            return -io.xdevfs.posix.Errno.ENOSYS;
        }
        return call("removexattr", path, () -> volume.removexattr(path, name));
    }
}
