package io.xdevfs.posix;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.nio.ByteBuffer;

/**
 * {@link Posix} through libc. Thread-safe: the small native structs each call needs live in
 * per-thread scratch memory, so the data path allocates nothing native.
 */
final class NativePosix implements Posix {
    private static volatile NativePosix instance;

    private final LibC libc;
    private final Runtime runtime;
    private final MemoryIO memory = MemoryIO.getInstance();
    private final ThreadLocal<Scratch> scratch;

    private NativePosix() {
        Arch.requireSupported();
        this.libc = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true)
                .failImmediately().load("c");
        this.runtime = Runtime.getRuntime(libc);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(runtime));
    }

    /** Loads libc on first use. */
    static NativePosix instance() {
        NativePosix p = instance;
        if (p == null) {
            synchronized (NativePosix.class) {
                p = instance;
                if (p == null) {
                    p = new NativePosix();
                    instance = p;
                }
            }
        }
        return p;
    }

    private static final class Scratch {
        final Pointer stat;
        final Pointer times;
        final Pointer how;
        final Pointer path;
        final Pointer statx;
        final Pointer pollfd;

        Scratch(Runtime runtime) {
            pollfd = Memory.allocateDirect(runtime, 8);
            statx = Memory.allocateDirect(runtime, STATX_SIZE);
            stat = Memory.allocateDirect(runtime, NativeLayouts.STAT_SIZE);
            times = Memory.allocateDirect(runtime, 32);
            how = Memory.allocateDirect(runtime, 24);
            path = Memory.allocateDirect(runtime, 4096);
        }
    }

    private PosixException failure(String op, String path) {
        return new PosixException(runtime.getLastError(), op, path);
    }

    private int check(int rc, String op, String path) throws PosixException {
        if (rc < 0) {
            throw failure(op, path);
        }
        return rc;
    }

    // ---- descriptors -------------------------------------------------------------------------

    @Override
    public int openat(int dirfd, String path, int flags, int mode) throws PosixException {
        return check(libc.openat(dirfd, path, flags | Flags.O_CLOEXEC, mode), "open", path);
    }

    @Override
    public int openBeneath(int dirfd, String path, int flags) throws PosixException {
        Pointer how = scratch.get().how;
        how.putLong(0, (flags | Flags.O_CLOEXEC) & 0xffffffffL);
        how.putLong(8, 0);
        how.putLong(16, Flags.RESOLVE_BENEATH | Flags.RESOLVE_NO_SYMLINKS | Flags.RESOLVE_NO_MAGICLINKS);
        long rc = libc.syscall(Arch.openat2SyscallNumber(), dirfd, path, how, 24);
        if (rc < 0) {
            throw failure("openat2", path);
        }
        return (int) rc;
    }

    @Override
    public int dup(int fd) throws PosixException {
        return check(libc.dup(fd), "dup", null);
    }

    @Override
    public void close(int fd) throws PosixException {
        check(libc.close(fd), "close", null);
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws PosixException {
        if (!dst.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(dst.remaining());
            int n = pread(fd, direct, offset);
            dst.put(direct.flip());
            return n;
        }
        long base = memory.getDirectBufferAddress(dst);
        int total = 0;
        while (dst.hasRemaining()) {
            long n = libc.pread(fd, base + dst.position(), dst.remaining(), offset + total);
            if (n < 0) {
                if (runtime.getLastError() == Errno.EINTR) {
                    continue;
                }
                throw failure("pread", null);
            }
            if (n == 0) {
                break;
            }
            dst.position(dst.position() + (int) n);
            total += (int) n;
        }
        return total;
    }

    @Override
    public int preadOnce(int fd, ByteBuffer dst, long offset) throws PosixException {
        long base = memory.getDirectBufferAddress(dst);
        while (true) {
            long n = libc.pread(fd, base + dst.position(), dst.remaining(), offset);
            if (n >= 0) {
                dst.position(dst.position() + (int) n);
                return (int) n;
            }
            if (runtime.getLastError() != Errno.EINTR) {
                throw failure("pread", null);
            }
        }
    }

    @Override
    public long address(ByteBuffer direct) {
        return memory.getDirectBufferAddress(direct);
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws PosixException {
        if (!src.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining()).put(src).flip();
            return pwrite(fd, direct, offset);
        }
        int total = 0;
        while (src.hasRemaining()) {
            total += pwriteOnce(fd, src, offset + total);
        }
        return total;
    }

    @Override
    public int pwriteOnce(int fd, ByteBuffer src, long offset) throws PosixException {
        if (!src.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining()).put(src.duplicate()).flip();
            int n = pwriteOnce(fd, direct, offset);
            src.position(src.position() + n);
            return n;
        }
        long base = memory.getDirectBufferAddress(src);
        while (true) {
            long n = libc.pwrite(fd, base + src.position(), src.remaining(), offset);
            if (n >= 0) {
                src.position(src.position() + (int) n);
                return (int) n;
            }
            if (runtime.getLastError() != Errno.EINTR) {
                throw failure("pwrite", null);
            }
        }
    }

    @Override
    public void writeMessage(int fd, ByteBuffer direct) throws PosixException {
        long n = libc.write(fd, memory.getDirectBufferAddress(direct) + direct.position(), direct.remaining());
        if (n < 0) {
            throw failure("write", null);
        }
        direct.position(direct.position() + (int) n);
    }

    @Override
    public int readMessage(int fd, long address, int size) throws PosixException {
        long n = libc.read(fd, address, size);
        if (n < 0) {
            throw failure("read", null);
        }
        return (int) n;
    }

    /** struct pollfd: int fd, short events, short revents. */
    private static final short POLLIN = 1;

    @Override
    public boolean readable(int fd) throws PosixException {
        Pointer p = scratch.get().pollfd;
        p.putInt(0, fd);
        p.putShort(4, POLLIN);
        p.putShort(6, (short) 0);
        int n = libc.poll(p, 1, 0);
        if (n < 0) {
            if (runtime.getLastError() == Errno.EINTR) {
                return false;
            }
            throw failure("poll", null);
        }
        return n > 0;
    }

    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;

    @Override
    public long seekDataOrHole(int fd, long offset, boolean data) throws PosixException {
        long at = libc.lseek(fd, offset, data ? SEEK_DATA : SEEK_HOLE);
        if (at < 0) {
            throw failure("lseek", null);
        }
        return at;
    }

    @Override
    public long seekData(int fd, long offset) throws PosixException {
        long at = libc.lseek(fd, offset, SEEK_DATA);
        if (at < 0) {
            if (runtime.getLastError() == Errno.ENXIO) {
                return -1;
            }
            throw failure("lseek", null);
        }
        return at;
    }

    @Override
    public void fsync(int fd, boolean dataOnly) throws PosixException {
        check(dataOnly ? libc.fdatasync(fd) : libc.fsync(fd), dataOnly ? "fdatasync" : "fsync", null);
    }

    private static final int SYNC_FILE_RANGE_WRITE = 2;

    @Override
    public void startWriteback(int fd, long offset, long length) throws PosixException {
        check(libc.sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE), "sync_file_range", null);
    }

    @Override
    public void ftruncate(int fd, long length) throws PosixException {
        check(libc.ftruncate(fd, length), "ftruncate", null);
    }

    @Override
    public void fallocate(int fd, int mode, long offset, long length) throws PosixException {
        check(libc.fallocate(fd, mode, offset, length), "fallocate", null);
    }

    @Override
    public int ioctl(int fd, long request, long argAddress) throws PosixException {
        return check(libc.ioctl(fd, request, argAddress), "ioctl", null);
    }

    private static final int F_DUPFD_CLOEXEC = 1030;

    @Override
    public int gettid() {
        return libc.gettid();
    }

    private static final int PRIO_PROCESS = 0;
    /** struct sigaction is at most this big on x86_64 and aarch64; its handler comes first on both. */
    private static final int SIGACTION_SIZE = 256;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    @Override
    public boolean unignoreSignal(int signum) throws PosixException {
        Pointer old = Memory.allocateDirect(runtime, SIGACTION_SIZE);
        check(libc.sigaction(signum, null, old), "sigaction", null);
        if (old.getLong(0) != SIG_IGN) {
            return false;
        }
        if (libc.signal(signum, SIG_DFL) == -1) {
            throw failure("signal", null);
        }
        return true;
    }

    @Override
    public void setThreadNice(int nice) throws PosixException {
        check(libc.setpriority(PRIO_PROCESS, libc.gettid(), nice), "setpriority", null);
    }

    private static final int SCHED_OTHER = 0;
    private static final int SCHED_IDLE = 5;

    @Override
    public void setThreadIdleScheduling(boolean idle) throws PosixException {
        Pointer param = Memory.allocateDirect(runtime, 4); // struct sched_param { int sched_priority = 0; }
        param.putInt(0, 0);
        check(libc.sched_setscheduler(0, idle ? SCHED_IDLE : SCHED_OTHER, param), "sched_setscheduler", null);
    }

    @Override
    public int dupCloexec(int fd) throws PosixException {
        return check(libc.fcntl(fd, F_DUPFD_CLOEXEC, 0), "fcntl(F_DUPFD_CLOEXEC)", null);
    }

    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    @Override
    public boolean tryLockExclusive(int fd) throws PosixException {
        if (libc.flock(fd, LOCK_EX | LOCK_NB) == 0) {
            return true;
        }
        int errno = runtime.getLastError();
        if (errno == Errno.EAGAIN) { // EWOULDBLOCK
            return false;
        }
        throw new PosixException(errno, "flock", null);
    }

    /** struct statx is 256 bytes; stx_size (u64) sits at 40 on every architecture. */
    private static final int STATX_SIZE = 256;
    private static final int STATX_SIZE_OFFSET = 40;
    private static final int STATX_SIZE_MASK = 0x200;

    /** Set once statx proved missing (a kernel before 4.11, or a seccomp filter that refuses it). */
    private volatile boolean noStatx;

    @Override
    public long fileSize(int fd) throws PosixException {
        if (!noStatx) {
            Pointer buf = scratch.get().statx;
            if (libc.statx(fd, "", Flags.AT_EMPTY_PATH, STATX_SIZE_MASK, buf) == 0) {
                return buf.getLong(STATX_SIZE_OFFSET);
            }
            int errno = runtime.getLastError();
            if (errno != Errno.ENOSYS && errno != Errno.EPERM) {
                throw new PosixException(errno, "statx", null);
            }
            noStatx = true;
        }
        return fstat(fd).size;
    }

    @Override
    public Stat fstat(int fd) throws PosixException {
        Pointer buf = scratch.get().stat;
        check(libc.fstat(fd, buf), "fstat", null);
        Stat s = new Stat();
        NativeLayouts.readStat(buf, s);
        return s;
    }

    @Override
    public void fchmod(int fd, int mode) throws PosixException {
        check(libc.fchmod(fd, mode), "fchmod", null);
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws PosixException {
        check(libc.fchown(fd, uid, gid), "fchown", null);
    }

    @Override
    public void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException {
        check(libc.futimens(fd, times(atimeSec, atimeNsec, mtimeSec, mtimeNsec)), "futimens", null);
    }

    @Override
    public FsStat fstatvfs(int fd) throws PosixException {
        Pointer buf = Memory.allocateDirect(runtime, NativeLayouts.STATVFS_SIZE);
        check(libc.fstatvfs(fd, buf), "statvfs", null);
        return NativeLayouts.readStatvfs(buf);
    }

    @Override
    public long filesystemType(int fd) throws PosixException {
        Pointer buf = Memory.allocateDirect(runtime, 120);
        check(libc.fstatfs(fd, buf), "statfs", null);
        return buf.getLong(0);
    }

    // ---- file handles -------------------------------------------------------------------------

    private static final int MAX_HANDLE_SZ = 128;
    private static final int AT_EMPTY_PATH = 0x1000;

    @Override
    public byte[] fileHandle(int fd) throws PosixException {
        return handle(fd, "", AT_EMPTY_PATH);
    }

    @Override
    public byte[] fileHandleAt(int dirfd, String path) throws PosixException {
        return handle(dirfd, path, 0);
    }

    private byte[] handle(int dirfd, String path, int flags) throws PosixException {
        Pointer handle = Memory.allocateDirect(runtime, 8 + MAX_HANDLE_SZ);
        Pointer mountId = Memory.allocateDirect(runtime, 4);
        handle.putInt(0, MAX_HANDLE_SZ);
        check(libc.name_to_handle_at(dirfd, path, handle, mountId, flags), "name_to_handle_at", path.isEmpty() ? null : path);
        byte[] out = new byte[8 + handle.getInt(0)];
        handle.get(0, out, 0, out.length);
        return out;
    }

    @Override
    public int openByHandle(int mountFd, byte[] fileHandle, int flags) throws PosixException {
        Pointer handle = Memory.allocateDirect(runtime, fileHandle.length);
        handle.put(0, fileHandle, 0, fileHandle.length);
        return check(libc.open_by_handle_at(mountFd, handle, flags | Flags.O_CLOEXEC), "open_by_handle_at", null);
    }

    // ---- memory mappings ----------------------------------------------------------------------

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MS_SYNC = 4;

    @Override
    public long mapShared(int fd, long offset, long length, boolean writable) throws PosixException {
        Pointer addr = libc.mmap(null, length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, offset);
        if (addr == null || addr.address() == -1) {
            throw failure("mmap", null);
        }
        return addr.address();
    }

    @Override
    public void unmap(long address, long length) throws PosixException {
        check(libc.munmap(address, length), "munmap", null);
    }

    @Override
    public void syncMapping(long address, long length) throws PosixException {
        check(libc.msync(address, length, MS_SYNC), "msync", null);
    }

    @Override
    public ByteBuffer memoryView(long address, int length) {
        return memory.newDirectByteBuffer(address, length);
    }

    // ---- names below a directory descriptor --------------------------------------------------

    @Override
    public Stat lstatAt(int dirfd, String name) throws PosixException {
        Pointer buf = scratch.get().stat;
        check(libc.fstatat(dirfd, name, buf, Flags.AT_SYMLINK_NOFOLLOW), "stat", name);
        Stat s = new Stat();
        NativeLayouts.readStat(buf, s);
        return s;
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) throws PosixException {
        check(libc.mkdirat(dirfd, name, mode), "mkdir", name);
    }

    @Override
    public void mknodat(int dirfd, String name, int mode, long dev) throws PosixException {
        check(libc.mknodat(dirfd, name, mode, dev), "mknod", name);
    }

    @Override
    public void unlinkat(int dirfd, String name, boolean directory) throws PosixException {
        check(libc.unlinkat(dirfd, name, directory ? Flags.AT_REMOVEDIR : 0), directory ? "rmdir" : "unlink", name);
    }

    @Override
    public void renameat2(int fromDir, String from, int toDir, String to, int flags) throws PosixException {
        check(libc.renameat2(fromDir, from, toDir, to, flags), "rename", from);
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) throws PosixException {
        check(libc.symlinkat(target, dirfd, name), "symlink", name);
    }

    @Override
    public String readlinkat(int dirfd, String name) throws PosixException {
        Pointer buf = scratch.get().path;
        long n = libc.readlinkat(dirfd, name, buf, 4096);
        if (n < 0) {
            throw failure("readlink", name);
        }
        byte[] bytes = new byte[(int) n];
        buf.get(0, bytes, 0, bytes.length);
        return Names.ofBytes(bytes);
    }

    @Override
    public void linkat(int fromDir, String from, int toDir, String to) throws PosixException {
        check(libc.linkat(fromDir, from, toDir, to, 0), "link", from);
    }

    @Override
    public void fchmodat(int dirfd, String name, int mode) throws PosixException {
        check(libc.fchmodat(dirfd, name, mode, Flags.AT_SYMLINK_NOFOLLOW), "chmod", name);
    }

    @Override
    public void lchownat(int dirfd, String name, int uid, int gid) throws PosixException {
        check(libc.fchownat(dirfd, name, uid, gid, Flags.AT_SYMLINK_NOFOLLOW), "chown", name);
    }

    @Override
    public void lutimensat(int dirfd, String name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException {
        Pointer t = times(atimeSec, atimeNsec, mtimeSec, mtimeNsec);
        check(libc.utimensat(dirfd, name, t, Flags.AT_SYMLINK_NOFOLLOW), "utimens", name);
    }

    private Pointer times(long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) {
        Pointer t = scratch.get().times;
        t.putLong(0, atimeSec);
        t.putLong(8, atimeNsec);
        t.putLong(16, mtimeSec);
        t.putLong(24, mtimeNsec);
        return t;
    }

    @Override
    public void listDirectory(int dirfd, String name, java.util.function.Predicate<DirEntry> each) throws PosixException {
        int fd = openat(dirfd, name, Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_NOFOLLOW, 0);
        Pointer dir = libc.fdopendir(fd);
        if (dir == null) {
            PosixException e = failure("opendir", name);
            libc.close(fd);
            throw e;
        }
        try {
            while (true) {
                runtime.setLastError(0);
                Pointer ent = libc.readdir(dir);
                if (ent == null) {
                    int err = runtime.getLastError();
                    if (err != 0) {
                        throw new PosixException(err, "readdir", name);
                    }
                    return;
                }
                String entryName = ent.getString(NativeLayouts.DIRENT_NAME, 256, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (!entryName.equals(".") && !entryName.equals("..")
                        && !each.test(new DirEntry(entryName, ent.getLong(0), ent.getByte(NativeLayouts.DIRENT_TYPE) & 0xff))) {
                    return;
                }
            }
        } finally {
            libc.closedir(dir);
        }
    }

    // ---- extended attributes (on a path that the caller made safe, e.g. /proc/self/fd/N/name) --

    @Override
    public int lgetxattr(String path, String name, ByteBuffer value) throws PosixException {
        long addr = value.capacity() == 0 ? 0 : memory.getDirectBufferAddress(value) + value.position();
        return length(libc.lgetxattr(path, name, addr, value.remaining()), "getxattr", name);
    }

    @Override
    public void lsetxattr(String path, String name, ByteBuffer value, int flags) throws PosixException {
        long addr = value.capacity() == 0 ? 0 : memory.getDirectBufferAddress(value) + value.position();
        check(libc.lsetxattr(path, name, addr, value.remaining(), flags), "setxattr", name);
    }

    /** The length an xattr call returned, or its failure. */
    private int length(long n, String op, String what) throws PosixException {
        if (n < 0) {
            throw failure(op, what);
        }
        return (int) n;
    }

    @Override
    public int fgetxattr(int fd, String name, ByteBuffer value) throws PosixException {
        long addr = value.capacity() == 0 ? 0 : memory.getDirectBufferAddress(value) + value.position();
        return length(libc.fgetxattr(fd, name, addr, value.remaining()), "getxattr", name);
    }

    @Override
    public void fsetxattr(int fd, String name, ByteBuffer value, int flags) throws PosixException {
        long addr = value.capacity() == 0 ? 0 : memory.getDirectBufferAddress(value) + value.position();
        check(libc.fsetxattr(fd, name, addr, value.remaining(), flags), "setxattr", name);
    }

    @Override
    public int llistxattr(String path, ByteBuffer list) throws PosixException {
        long addr = list.capacity() == 0 ? 0 : memory.getDirectBufferAddress(list) + list.position();
        return length(libc.llistxattr(path, addr, list.remaining()), "listxattr", path);
    }

    @Override
    public void lremovexattr(String path, String name) throws PosixException {
        check(libc.lremovexattr(path, name), "removexattr", name);
    }

    @Override
    public int flistxattr(int fd, ByteBuffer list) throws PosixException {
        long addr = list.capacity() == 0 ? 0 : memory.getDirectBufferAddress(list) + list.position();
        return length(libc.flistxattr(fd, addr, list.remaining()), "listxattr", null);
    }

    @Override
    public void fremovexattr(int fd, String name) throws PosixException {
        check(libc.fremovexattr(fd, name), "removexattr", name);
    }

    // ---- process ------------------------------------------------------------------------------

    @Override
    public int umask(int mask) {
        return libc.umask(mask);
    }

    @Override
    public int geteuid() {
        return libc.geteuid();
    }

    private static final int RLIMIT_NOFILE = 7;

    @Override
    public long[] openFileLimit() throws PosixException {
        Pointer rlim = Memory.allocateDirect(runtime, 16);
        check(libc.getrlimit(RLIMIT_NOFILE, rlim), "getrlimit(RLIMIT_NOFILE)", null);
        return new long[] {rlim.getLong(0), rlim.getLong(8)};
    }

    @Override
    public void setOpenFileLimit(long soft, long hard) throws PosixException {
        Pointer rlim = Memory.allocateDirect(runtime, 16);
        rlim.putLong(0, soft);
        rlim.putLong(8, hard);
        check(libc.setrlimit(RLIMIT_NOFILE, rlim), "setrlimit(RLIMIT_NOFILE)", null);
    }

    @Override
    public int pageSize() {
        return libc.getpagesize();
    }

    @Override
    public void free(long address) {
        libc.free(address);
    }
}
