package io.xdevfs.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Encoding;

/**
 * The libc functions xdevfs binds through jnr-ffi. Only x86_64/aarch64 Linux with glibc 2.32+ is
 * supported (LP64: {@code long} is size_t/ssize_t/off_t). Buffers are raw addresses so that the
 * data path hands the caller's direct memory straight to the kernel. Every String is a byte string
 * ({@link Names}): one char per byte, passed to libc unchanged.
 */
@Encoding("ISO-8859-1")
public interface LibC {
    int openat(int dirfd, String path, int flags, int mode);
    int close(int fd);
    int dup(int fd);
    long pread(int fd, long buf, long count, long offset);
    long pwrite(int fd, long buf, long count, long offset);
    long read(int fd, long buf, long count);
    long write(int fd, long buf, long count);
    long lseek(int fd, long offset, int whence);
    int fsync(int fd);
    int fdatasync(int fd);
    int sync_file_range(int fd, long offset, long nbytes, int flags);
    int ftruncate(int fd, long length);
    int fallocate(int fd, int mode, long offset, long length);
    int ioctl(int fd, long request, long arg);

    /** struct pollfd array at {@code fds}. */
    int poll(Pointer fds, long nfds, int timeout);
    int fcntl(int fd, int cmd, int arg);
    /** struct rlimit at {@code rlim}: rlim_cur, rlim_max. */
    int getrlimit(int resource, Pointer rlim);
    int setrlimit(int resource, Pointer rlim);
    int gettid();
    int sigaction(int signum, Pointer act, Pointer oldact);
    long signal(int signum, long handler);
    int setpriority(int which, int who, int prio);
    int sched_setscheduler(int pid, int policy, Pointer param);
    int fstat(int fd, Pointer statbuf);
    int statx(int dirfd, String path, int flags, int mask, Pointer statxbuf);
    int flock(int fd, int operation);
    int fstatat(int dirfd, String path, Pointer statbuf, int flags);
    int fstatvfs(int fd, Pointer buf);
    int mkdirat(int dirfd, String path, int mode);
    int mknodat(int dirfd, String path, int mode, long dev);
    int unlinkat(int dirfd, String path, int flags);
    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);
    int symlinkat(String target, int newdirfd, String linkpath);
    long readlinkat(int dirfd, String path, Pointer buf, long size);
    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);
    int fchmodat(int dirfd, String path, int mode, int flags);
    int fchownat(int dirfd, String path, int owner, int group, int flags);
    int utimensat(int dirfd, String path, Pointer times, int flags);
    int futimens(int fd, Pointer times);
    int fchmod(int fd, int mode);
    int fchown(int fd, int owner, int group);
    long lgetxattr(String path, String name, long value, long size);
    int lsetxattr(String path, String name, long value, long size, int flags);
    long llistxattr(String path, long list, long size);
    int lremovexattr(String path, String name);

    long fgetxattr(int fd, String name, long value, long size);

    int fsetxattr(int fd, String name, long value, long size, int flags);

    long flistxattr(int fd, long list, long size);

    int fremovexattr(int fd, String name);
    Pointer fdopendir(int fd);
    Pointer readdir(Pointer dir);
    int closedir(Pointer dir);
    int umask(int mask);
    int geteuid();
    int getpagesize();
    void free(long address);
    /** A Pointer, not a long, in and out: jnr's all-primitive invoker passed these six arguments wrongly (EINVAL). */
    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);
    int munmap(long addr, long length);
    int msync(long addr, long length, int flags);
    int fstatfs(int fd, Pointer buf);
    int name_to_handle_at(int dirfd, String path, Pointer handle, Pointer mountId, int flags);
    int open_by_handle_at(int mountFd, Pointer handle, int flags);
    /** Used for openat2(2), which glibc 2.36 does not wrap. */
    long syscall(long number, int dirfd, String path, Pointer how, long size);
}
