package io.xdevfs.posix;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The system calls behind every storage type, each turning a failure into a {@link PosixException}
 * that carries errno. {@link #get()} is libc itself ({@link NativePosix}); a test can put another
 * implementation in front of it ({@link ForwardingPosix}) to fail a call, tear a write or forget what
 * was never synced. Implementations are thread-safe.
 */
public interface Posix {
    /** statfs f_type of a tmpfs. */
    long TMPFS_MAGIC = 0x01021994L;
    /** statfs f_type of a ramfs: memory too. */
    long RAMFS_MAGIC = 0x858458f6L;

    /** libc, loaded on first use. */
    static Posix get() {
        return NativePosix.instance();
    }

    int openat(int dirfd, String path, int flags, int mode) throws PosixException;

    /**
     * openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: {@code path} is resolved below
     * {@code dirfd} without following any symlink or "..", so no name can lead outside it.
     */
    int openBeneath(int dirfd, String path, int flags) throws PosixException;

    /** A second descriptor of the same open file (for work that outlives the caller's handle). */
    int dup(int fd) throws PosixException;

    void close(int fd) throws PosixException;

    /** Reads until {@code dst} is full or end of file; returns the bytes read. */
    int pread(int fd, ByteBuffer dst, long offset) throws PosixException;

    /**
     * One pread(2) into {@code dst} (retried only on EINTR): an O_DIRECT descriptor must not be asked
     * again from the unaligned offset a short read at end of file leaves.
     */
    int preadOnce(int fd, ByteBuffer dst, long offset) throws PosixException;

    /** The native address of a direct buffer's first byte (for alignment checks). */
    long address(ByteBuffer direct);

    /** Writes all of {@code src} (a short write is retried, as a disk filesystem would). */
    int pwrite(int fd, ByteBuffer src, long offset) throws PosixException;

    /**
     * One pwrite(2) of {@code src} (retried only on EINTR): returns what the file took, which may be less
     * than asked when the filesystem fills up partway; the error comes from the next call, as write(2)
     * gives it to a program. For the writes a program asked for, whose answer must say how many of its
     * bytes were stored.
     */
    int pwriteOnce(int fd, ByteBuffer src, long offset) throws PosixException;

    /**
     * One write(2) of the whole buffer, for a device that takes a message whole or rejects it (a reply
     * on /dev/fuse): a partial write cannot happen there, and a retry would send a second message.
     */
    void writeMessage(int fd, ByteBuffer direct) throws PosixException;

    /**
     * One read(2) of a device that hands out whole messages (a request on /dev/fuse) into native memory
     * at {@code address}; not retried, EINTR included, so the caller decides what an interruption means.
     */
    int readMessage(int fd, long address, int size) throws PosixException;

    /** Whether a read of {@code fd} would not block now (poll(2) for POLLIN with no wait). */
    boolean readable(int fd) throws PosixException;

    /** lseek(SEEK_DATA) or lseek(SEEK_HOLE) as the filesystem answers it, ENXIO past the end included. */
    long seekDataOrHole(int fd, long offset, boolean data) throws PosixException;

    /** lseek(SEEK_DATA): the first offset at or after {@code offset} that is not a hole; -1 past the last data. */
    long seekData(int fd, long offset) throws PosixException;

    void fsync(int fd, boolean dataOnly) throws PosixException;

    /**
     * sync_file_range(SYNC_FILE_RANGE_WRITE): starts writing the range's dirty pages without waiting and
     * without flushing the device's cache — durability still needs {@link #fsync}.
     */
    void startWriteback(int fd, long offset, long length) throws PosixException;

    void ftruncate(int fd, long length) throws PosixException;

    void fallocate(int fd, int mode, long offset, long length) throws PosixException;

    /** ioctl(2) with a pointer argument ({@code argAddress}, native memory); returns the call's non-negative result. */
    int ioctl(int fd, long request, long argAddress) throws PosixException;

    /** The calling thread's kernel id (a Java thread attached afresh at each upcall keeps it). */
    int gettid();

    /**
     * If the process ignores {@code signum} (inherited: a shell without job control starts background
     * jobs with SIGINT ignored), sets it to its default action and returns true; otherwise changes
     * nothing and returns false.
     */
    boolean unignoreSignal(int signum) throws PosixException;

    /**
     * Sets the calling thread's nice value (setpriority on its thread id): background work at 19 lets the
     * scheduler run a woken foreground thread at once. Raising it needs no privilege; lowering does.
     */
    void setThreadNice(int nice) throws PosixException;

    /**
     * Puts the calling thread in the SCHED_IDLE class ({@code idle}) or back in SCHED_OTHER: an idle-class
     * thread runs only on a CPU nothing else wants, and any other thread that wakes takes the CPU from it
     * at once. Its nice value stays. Going back to SCHED_OTHER needs no privilege at nice 19.
     */
    void setThreadIdleScheduling(boolean idle) throws PosixException;

    /** A second descriptor of the same open file description, close-on-exec (fcntl F_DUPFD_CLOEXEC). */
    int dupCloexec(int fd) throws PosixException;

    /** flock(LOCK_EX | LOCK_NB): true when taken, false when another open file description holds it. */
    boolean tryLockExclusive(int fd) throws PosixException;

    Stat fstat(int fd) throws PosixException;

    /**
     * The size of the open file, read without its times (statx with STATX_SIZE alone). Reading a
     * file's mtime or ctime makes the kernel (Linux 6.13+, multigrain timestamps) give the file's
     * next change a fine-grained time, which moves the time every other file's next write gets: on
     * ext4 without a journal each fdatasync then also writes the inode. For sizes taken at every
     * sync.
     */
    long fileSize(int fd) throws PosixException;

    void fchmod(int fd, int mode) throws PosixException;

    /** -1 for uid or gid leaves it unchanged. */
    void fchown(int fd, int uid, int gid) throws PosixException;

    void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException;

    FsStat fstatvfs(int fd) throws PosixException;

    /** statfs(2) f_type of the filesystem holding {@code fd} (e.g. {@link #TMPFS_MAGIC}). */
    long filesystemType(int fd) throws PosixException;

    /** name_to_handle_at(2) of an open descriptor: a struct file_handle that names its inode for good. */
    byte[] fileHandle(int fd) throws PosixException;

    /** name_to_handle_at(2) of a path, not following a final symlink: {@link #fileHandle} without an open. */
    byte[] fileHandleAt(int dirfd, String path) throws PosixException;

    /** open_by_handle_at(2) (needs CAP_DAC_READ_SEARCH): opens the inode {@link #fileHandle} named. */
    int openByHandle(int mountFd, byte[] fileHandle, int flags) throws PosixException;

    /** mmap(2) MAP_SHARED of {@code length} bytes of {@code fd} from {@code offset}; returns the address. */
    long mapShared(int fd, long offset, long length, boolean writable) throws PosixException;

    void unmap(long address, long length) throws PosixException;

    /** msync(2) MS_SYNC: returns when the mapped range's dirty pages are on stable storage. */
    void syncMapping(long address, long length) throws PosixException;

    /** A direct buffer over native memory the caller keeps valid (a mapping) for as long as the buffer is used. */
    ByteBuffer memoryView(long address, int length);

    /** lstat of {@code name} below {@code dirfd}; never follows a final symlink. */
    Stat lstatAt(int dirfd, String name) throws PosixException;

    void mkdirat(int dirfd, String name, int mode) throws PosixException;

    void mknodat(int dirfd, String name, int mode, long dev) throws PosixException;

    void unlinkat(int dirfd, String name, boolean directory) throws PosixException;

    void renameat2(int fromDir, String from, int toDir, String to, int flags) throws PosixException;

    void symlinkat(String target, int dirfd, String name) throws PosixException;

    String readlinkat(int dirfd, String name) throws PosixException;

    void linkat(int fromDir, String from, int toDir, String to) throws PosixException;

    void fchmodat(int dirfd, String name, int mode) throws PosixException;

    /** -1 for uid or gid leaves it unchanged, as chown(2) does. */
    void lchownat(int dirfd, String name, int uid, int gid) throws PosixException;

    /** Nanosecond fields may be {@link Flags#UTIME_NOW} or {@link Flags#UTIME_OMIT}. */
    void lutimensat(int dirfd, String name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException;

    /**
     * Hands the names of a directory (without "." and ".."), opened below {@code dirfd} without
     * following symlinks, to {@code each} as they are read, until it returns false: a directory of
     * millions of names is never held in memory.
     */
    void listDirectory(int dirfd, String name, java.util.function.Predicate<DirEntry> each) throws PosixException;

    /** Lists a directory (without "." and ".."), opened below {@code dirfd} without following symlinks. */
    default List<DirEntry> listDirectory(int dirfd, String name) throws PosixException {
        List<DirEntry> entries = new java.util.ArrayList<>();
        listDirectory(dirfd, name, entries::add);
        return entries;
    }

    /** With an empty {@code value}, returns the size the value needs, as getxattr(2) does. */
    int lgetxattr(String path, String name, ByteBuffer value) throws PosixException;

    void lsetxattr(String path, String name, ByteBuffer value, int flags) throws PosixException;

    /** getxattr(2) of an open file (which may have no name left). */
    int fgetxattr(int fd, String name, ByteBuffer value) throws PosixException;

    void fsetxattr(int fd, String name, ByteBuffer value, int flags) throws PosixException;

    int llistxattr(String path, ByteBuffer list) throws PosixException;

    void lremovexattr(String path, String name) throws PosixException;

    /** listxattr(2) of an open file; with an empty {@code list}, returns the size the list needs. */
    int flistxattr(int fd, ByteBuffer list) throws PosixException;

    void fremovexattr(int fd, String name) throws PosixException;

    int umask(int mask);

    int geteuid();

    /** This process's RLIMIT_NOFILE: {soft, hard}. */
    long[] openFileLimit() throws PosixException;

    /** setrlimit(RLIMIT_NOFILE); a hard limit above the current one needs CAP_SYS_RESOURCE (EPERM). */
    void setOpenFileLimit(long soft, long hard) throws PosixException;

    int pageSize();

    /** free(3) of memory a native library allocated with malloc and handed over. */
    void free(long address);
}
