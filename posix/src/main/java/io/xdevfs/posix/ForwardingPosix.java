package io.xdevfs.posix;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@link Posix} that passes every call to another: the base of a test's fault injector, which
 * overrides the calls it changes and may fail any call by name in {@link #before}.
 */
public abstract class ForwardingPosix implements Posix {
    protected final Posix delegate;

    protected ForwardingPosix(Posix delegate) {
        this.delegate = delegate;
    }

    /** Runs before every call that can fail, named as its method ({@code "pwrite"}); may throw instead. */
    protected void before(String call) throws PosixException {
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) throws PosixException {
        before("openat");
        return delegate.openat(dirfd, path, flags, mode);
    }

    @Override
    public int openBeneath(int dirfd, String path, int flags) throws PosixException {
        before("openBeneath");
        return delegate.openBeneath(dirfd, path, flags);
    }

    @Override
    public int dup(int fd) throws PosixException {
        before("dup");
        return delegate.dup(fd);
    }

    @Override
    public void close(int fd) throws PosixException {
        before("close");
        delegate.close(fd);
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws PosixException {
        before("pread");
        return delegate.pread(fd, dst, offset);
    }

    @Override
    public int preadOnce(int fd, ByteBuffer dst, long offset) throws PosixException {
        before("preadOnce");
        return delegate.preadOnce(fd, dst, offset);
    }

    @Override
    public long address(ByteBuffer direct) {
        return delegate.address(direct);
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws PosixException {
        before("pwrite");
        return delegate.pwrite(fd, src, offset);
    }

    /** The same system call as {@link #pwrite}: a seam that fails "pwrite" fails both. */
    @Override
    public int pwriteOnce(int fd, ByteBuffer src, long offset) throws PosixException {
        before("pwrite");
        return delegate.pwriteOnce(fd, src, offset);
    }

    @Override
    public void writeMessage(int fd, ByteBuffer direct) throws PosixException {
        before("writeMessage");
        delegate.writeMessage(fd, direct);
    }

    @Override
    public int readMessage(int fd, long address, int size) throws PosixException {
        before("readMessage");
        return delegate.readMessage(fd, address, size);
    }

    @Override
    public long seekDataOrHole(int fd, long offset, boolean data) throws PosixException {
        before("seekDataOrHole");
        return delegate.seekDataOrHole(fd, offset, data);
    }

    @Override
    public long seekData(int fd, long offset) throws PosixException {
        before("seekData");
        return delegate.seekData(fd, offset);
    }

    @Override
    public void fsync(int fd, boolean dataOnly) throws PosixException {
        before("fsync");
        delegate.fsync(fd, dataOnly);
    }

    @Override
    public void startWriteback(int fd, long offset, long length) throws PosixException {
        before("startWriteback");
        delegate.startWriteback(fd, offset, length);
    }

    @Override
    public void ftruncate(int fd, long length) throws PosixException {
        before("ftruncate");
        delegate.ftruncate(fd, length);
    }

    @Override
    public boolean readable(int fd) throws PosixException {
        before("readable");
        return delegate.readable(fd);
    }

    @Override
    public int ioctl(int fd, long request, long argAddress) throws PosixException {
        before("ioctl");
        return delegate.ioctl(fd, request, argAddress);
    }

    @Override
    public int gettid() {
        return delegate.gettid();
    }

    @Override
    public void setThreadNice(int nice) throws PosixException {
        delegate.setThreadNice(nice);
    }

    @Override
    public void setThreadIdleScheduling(boolean idle) throws PosixException {
        delegate.setThreadIdleScheduling(idle);
    }

    @Override
    public boolean unignoreSignal(int signum) throws PosixException {
        return delegate.unignoreSignal(signum);
    }

    @Override
    public int dupCloexec(int fd) throws PosixException {
        before("dup");
        return delegate.dupCloexec(fd);
    }

    @Override
    public void fallocate(int fd, int mode, long offset, long length) throws PosixException {
        before("fallocate");
        delegate.fallocate(fd, mode, offset, length);
    }

    @Override
    public boolean tryLockExclusive(int fd) throws PosixException {
        before("tryLockExclusive");
        return delegate.tryLockExclusive(fd);
    }

    @Override
    public Stat fstat(int fd) throws PosixException {
        before("fstat");
        return delegate.fstat(fd);
    }

    @Override
    public void fchmod(int fd, int mode) throws PosixException {
        before("fchmod");
        delegate.fchmod(fd, mode);
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws PosixException {
        before("fchown");
        delegate.fchown(fd, uid, gid);
    }

    @Override
    public void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws PosixException {
        before("futimens");
        delegate.futimens(fd, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
    }

    @Override
    public long fileSize(int fd) throws PosixException {
        before("fileSize");
        return delegate.fileSize(fd);
    }

    @Override
    public FsStat fstatvfs(int fd) throws PosixException {
        before("fstatvfs");
        return delegate.fstatvfs(fd);
    }

    @Override
    public long filesystemType(int fd) throws PosixException {
        before("filesystemType");
        return delegate.filesystemType(fd);
    }

    @Override
    public byte[] fileHandle(int fd) throws PosixException {
        before("fileHandle");
        return delegate.fileHandle(fd);
    }

    @Override
    public byte[] fileHandleAt(int dirfd, String path) throws PosixException {
        before("fileHandleAt");
        return delegate.fileHandleAt(dirfd, path);
    }

    @Override
    public int openByHandle(int mountFd, byte[] fileHandle, int flags) throws PosixException {
        before("openByHandle");
        return delegate.openByHandle(mountFd, fileHandle, flags);
    }

    @Override
    public long mapShared(int fd, long offset, long length, boolean writable) throws PosixException {
        before("mapShared");
        return delegate.mapShared(fd, offset, length, writable);
    }

    @Override
    public void unmap(long address, long length) throws PosixException {
        before("unmap");
        delegate.unmap(address, length);
    }

    @Override
    public void syncMapping(long address, long length) throws PosixException {
        before("syncMapping");
        delegate.syncMapping(address, length);
    }

    @Override
    public ByteBuffer memoryView(long address, int length) {
        return delegate.memoryView(address, length);
    }

    @Override
    public Stat lstatAt(int dirfd, String name) throws PosixException {
        before("lstatAt");
        return delegate.lstatAt(dirfd, name);
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) throws PosixException {
        before("mkdirat");
        delegate.mkdirat(dirfd, name, mode);
    }

    @Override
    public void mknodat(int dirfd, String name, int mode, long dev) throws PosixException {
        before("mknodat");
        delegate.mknodat(dirfd, name, mode, dev);
    }

    @Override
    public void unlinkat(int dirfd, String name, boolean directory) throws PosixException {
        before("unlinkat");
        delegate.unlinkat(dirfd, name, directory);
    }

    @Override
    public void renameat2(int fromDir, String from, int toDir, String to, int flags) throws PosixException {
        before("renameat2");
        delegate.renameat2(fromDir, from, toDir, to, flags);
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) throws PosixException {
        before("symlinkat");
        delegate.symlinkat(target, dirfd, name);
    }

    @Override
    public String readlinkat(int dirfd, String name) throws PosixException {
        before("readlinkat");
        return delegate.readlinkat(dirfd, name);
    }

    @Override
    public void linkat(int fromDir, String from, int toDir, String to) throws PosixException {
        before("linkat");
        delegate.linkat(fromDir, from, toDir, to);
    }

    @Override
    public void fchmodat(int dirfd, String name, int mode) throws PosixException {
        before("fchmodat");
        delegate.fchmodat(dirfd, name, mode);
    }

    @Override
    public void lchownat(int dirfd, String name, int uid, int gid) throws PosixException {
        before("lchownat");
        delegate.lchownat(dirfd, name, uid, gid);
    }

    @Override
    public void lutimensat(int dirfd, String name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws PosixException {
        before("lutimensat");
        delegate.lutimensat(dirfd, name, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
    }

    @Override
    public void listDirectory(int dirfd, String name, java.util.function.Predicate<DirEntry> each) throws PosixException {
        before("listDirectory");
        delegate.listDirectory(dirfd, name, each);
    }

    @Override
    public int lgetxattr(String path, String name, ByteBuffer value) throws PosixException {
        before("lgetxattr");
        return delegate.lgetxattr(path, name, value);
    }

    @Override
    public void lsetxattr(String path, String name, ByteBuffer value, int flags) throws PosixException {
        before("lsetxattr");
        delegate.lsetxattr(path, name, value, flags);
    }

    @Override
    public int fgetxattr(int fd, String name, ByteBuffer value) throws PosixException {
        before("fgetxattr");
        return delegate.fgetxattr(fd, name, value);
    }

    @Override
    public void fsetxattr(int fd, String name, ByteBuffer value, int flags) throws PosixException {
        before("fsetxattr");
        delegate.fsetxattr(fd, name, value, flags);
    }

    @Override
    public int llistxattr(String path, ByteBuffer list) throws PosixException {
        before("llistxattr");
        return delegate.llistxattr(path, list);
    }

    @Override
    public void lremovexattr(String path, String name) throws PosixException {
        before("lremovexattr");
        delegate.lremovexattr(path, name);
    }

    @Override
    public int flistxattr(int fd, ByteBuffer list) throws PosixException {
        before("flistxattr");
        return delegate.flistxattr(fd, list);
    }

    @Override
    public void fremovexattr(int fd, String name) throws PosixException {
        before("fremovexattr");
        delegate.fremovexattr(fd, name);
    }

    @Override
    public int umask(int mask) {
        return delegate.umask(mask);
    }

    @Override
    public int geteuid() {
        return delegate.geteuid();
    }

    @Override
    public long[] openFileLimit() throws PosixException {
        return delegate.openFileLimit();
    }

    @Override
    public void setOpenFileLimit(long soft, long hard) throws PosixException {
        before("setOpenFileLimit");
        delegate.setOpenFileLimit(soft, hard);
    }

    @Override
    public int pageSize() {
        return delegate.pageSize();
    }

    @Override
    public void free(long address) {
        delegate.free(address);
    }
}
