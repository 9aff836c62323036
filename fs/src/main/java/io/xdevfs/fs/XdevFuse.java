package io.xdevfs.fs;

import com.kenai.jffi.MemoryIO;
import io.xdevfs.posix.DirEntry;
import io.xdevfs.posix.FsStat;
import io.xdevfs.posix.Stat;
import io.xdevfs.tiers.Content;
import io.xdevfs.tiers.Owner;
import io.xdevfs.tiers.Volume;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.NotImplemented;
import ru.serce.jnrfuse.struct.FileStat;
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

    private final Volume volume;
    private final Handles handles = new Handles();
    private final MemoryIO memory = MemoryIO.getInstance();
    private volatile Runnable onMounted = () -> { };

    public XdevFuse(Volume volume) {
        this.volume = volume;
        Pointer ops = Struct.getMemory(fuseOperations);
        long flagsOffset = flagWordOffset();
        ops.putInt(flagsOffset, ops.getInt(flagsOffset) | FLAG_NULLPATH_OK | FLAG_UTIME_OMIT_OK);
    }

    /** jnr-fuse declares the flag bits as padding whose offset() is not public API; read it reflectively. */
    private long flagWordOffset() {
        try {
            java.lang.reflect.Method offset = Class.forName("jnr.ffi.Struct$AbstractMember").getMethod("offset");
            offset.setAccessible(true);
            return (long) offset.invoke(fuseOperations.flag_nullpath_ok);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot locate fuse_operations flags in this jnr-fuse version", e);
        }
    }

    /**
     * Runs the FUSE session on the calling thread until the file system is unmounted; returns
     * fuse_main's status (0 after a normal unmount). {@code onMounted} runs once the kernel has
     * completed the handshake, i.e. the mount is serving.
     */
    public int serve(String mountPoint, List<String> fuseArgs, Runnable onMounted) {
        this.onMounted = onMounted;
        String[] args = new String[fuseArgs.size() + 3];
        args[0] = "xdevfs";
        args[1] = "-f";
        for (int i = 0; i < fuseArgs.size(); i++) {
            args[i + 2] = fuseArgs.get(i);
        }
        args[args.length - 1] = mountPoint;
        return libFuse.fuse_main_real(args.length, args, fuseOperations, Struct.size(fuseOperations), null);
    }

    /** Open handles right now (the leak test and shutdown look at it). */
    public int openHandles() {
        return handles.size();
    }

    /** Closes whatever the kernel did not release (after unmount). */
    public List<java.io.IOException> releaseAll() {
        return handles.closeAll();
    }

    private ByteBuffer view(Pointer buf, long size) {
        return size == 0 ? ByteBuffer.allocateDirect(0) : memory.newDirectByteBuffer(buf.address(), (int) size);
    }

    private Owner caller() {
        FuseContext ctx = getContext();
        return new Owner((int) ctx.uid.get(), (int) ctx.gid.get());
    }

    private static void fill(FileStat out, Stat s) {
        out.st_dev.set(s.dev);
        out.st_ino.set(s.ino);
        out.st_nlink.set(s.nlink);
        out.st_mode.set(s.mode);
        out.st_uid.set(s.uid);
        out.st_gid.set(s.gid);
        out.st_rdev.set(s.rdev);
        out.st_size.set(s.size);
        out.st_blksize.set(s.blksize);
        out.st_blocks.set(s.blocks);
        out.st_atim.tv_sec.set(s.atimeSec);
        out.st_atim.tv_nsec.set(s.atimeNsec);
        out.st_mtim.tv_sec.set(s.mtimeSec);
        out.st_mtim.tv_nsec.set(s.mtimeNsec);
        out.st_ctim.tv_sec.set(s.ctimeSec);
        out.st_ctim.tv_nsec.set(s.ctimeNsec);
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
    public int getattr(String path, FileStat stat) {
        try {
            fill(stat, volume.getattr(path));
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("getattr", path, t);
        }
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        try {
            fill(stat, handles.get(fi.fh.get()).attributes());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("fgetattr", path, t);
        }
    }

    @Override
    public int access(String path, int mask) {
        try {
            volume.access(path, mask, caller());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("access", path, t);
        }
    }

    @Override
    public int chmod(String path, long mode) {
        try {
            volume.chmod(path, (int) mode);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("chmod", path, t);
        }
    }

    @Override
    public int chown(String path, long uid, long gid) {
        try {
            volume.chown(path, (int) uid, (int) gid);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("chown", path, t);
        }
    }

    @Override
    public int utimens(String path, Timespec[] times) {
        try {
            volume.utimens(path, times[0].tv_sec.get(), times[0].tv_nsec.longValue(),
                    times[1].tv_sec.get(), times[1].tv_nsec.longValue());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("utimens", path, t);
        }
    }

    @Override
    public int statfs(String path, Statvfs out) {
        try {
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
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("statfs", path, t);
        }
    }

    // ---- names -------------------------------------------------------------------------------------

    @Override
    public int mkdir(String path, long mode) {
        try {
            volume.mkdir(path, (int) mode, caller());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("mkdir", path, t);
        }
    }

    @Override
    public int rmdir(String path) {
        try {
            volume.rmdir(path);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("rmdir", path, t);
        }
    }

    @Override
    public int unlink(String path) {
        try {
            volume.unlink(path);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("unlink", path, t);
        }
    }

    @Override
    public int rename(String from, String to) {
        try {
            volume.rename(from, to, 0);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("rename", from, t);
        }
    }

    @Override
    public int symlink(String target, String path) {
        try {
            volume.symlink(target, path, caller());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("symlink", path, t);
        }
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        try {
            byte[] target = volume.readlink(path).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // FUSE wants a NUL-terminated string, truncated to the buffer like readlink(2).
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("readlink", path, t);
        }
    }

    @Override
    public int link(String existing, String newPath) {
        try {
            volume.link(existing, newPath);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("link", newPath, t);
        }
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        try {
            volume.mknod(path, (int) mode, rdev, caller());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("mknod", path, t);
        }
    }

    @Override
    public int truncate(String path, long size) {
        try {
            volume.truncate(path, size);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("truncate", path, t);
        }
    }

    // ---- directories -----------------------------------------------------------------------------

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        try {
            if (!volume.getattr(path).isDirectory()) {
                return -io.xdevfs.posix.Errno.ENOTDIR;
            }
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("opendir", path, t);
        }
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        try {
            List<DirEntry> entries = volume.readdir(path);
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (DirEntry e : entries) {
                if (filler.apply(buf, e.name(), null, 0) != 0) {
                    break;
                }
            }
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("readdir", path, t);
        }
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        try {
            volume.syncDirectory(path);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("fsyncdir", path, t);
        }
    }

    // ---- open files --------------------------------------------------------------------------------

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        try {
            Content c = volume.create(path, fi.flags.get(), (int) mode, caller());
            fi.fh.set(handles.add(c));
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("create", path, t);
        }
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        try {
            Content c = volume.open(path, fi.flags.get());
            fi.fh.set(handles.add(c));
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("open", path, t);
        }
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        try {
            return handles.get(fi.fh.get()).read(view(buf, size), offset);
        } catch (Throwable t) {
            return Errors.toErrno("read", path, t);
        }
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        try {
            return handles.get(fi.fh.get()).write(view(buf, size), offset);
        } catch (Throwable t) {
            return Errors.toErrno("write", path, t);
        }
    }

    /** close(2) on the mount: nothing is buffered here, so there is nothing to push; the handle must exist. */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        try {
            handles.get(fi.fh.get());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("flush", path, t);
        }
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        try {
            handles.get(fi.fh.get()).sync(isdatasync != 0);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("fsync", path, t);
        }
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        try {
            handles.get(fi.fh.get()).truncate(size);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("ftruncate", path, t);
        }
    }

    @Override
    public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
        try {
            handles.get(fi.fh.get()).allocate(mode, offset, length);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("fallocate", path, t);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        try {
            handles.release(fi.fh.get());
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("release", path, t);
        }
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
        try {
            volume.setxattr(path, name, view(value, size), flags);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("setxattr", path, t);
        }
    }

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        try {
            return volume.getxattr(path, name, view(value, size));
        } catch (Throwable t) {
            return Errors.toErrno("getxattr", path, t);
        }
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        try {
            return volume.listxattr(path, view(list, size));
        } catch (Throwable t) {
            return Errors.toErrno("listxattr", path, t);
        }
    }

    @Override
    public int removexattr(String path, String name) {
        try {
            volume.removexattr(path, name);
            return 0;
        } catch (Throwable t) {
            return Errors.toErrno("removexattr", path, t);
        }
    }
}
