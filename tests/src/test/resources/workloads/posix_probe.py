#!/usr/bin/env python3
"""Probes of POSIX behaviour whose outcome a local filesystem (ext4, tmpfs) decides the same way.

Run as root with a fresh, empty directory: python3 posix_probe.py DIR. Prints one line per probe,
"name: outcome", where the outcome is OK (with what was observed) or the errno name a call failed with.
A test runs it in a native directory and on a mount and compares the two outputs line by line; what
is printed is what must agree (no inode numbers, times only as "changed or not", no block counts).
Probes marked "as a user" run in a child process as nobody (uid and gid 65534).
"""
import ctypes
import errno
import os
import stat
import sys

root = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
NOBODY = 65534
probes = []


def probe(fn):
    probes.append(fn)
    return fn


def fresh(name):
    d = os.path.join(root, name)
    os.mkdir(d)
    return d


def put(path, data=b"", mode=0o644):
    """A file with exactly this mode (the umask left out)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, mode)
    os.write(fd, data)
    os.fchmod(fd, mode)
    os.close(fd)
    return path


def mode(path):
    return oct(stat.S_IMODE(os.lstat(path).st_mode))


def call(fn, *args):
    """ctypes call: raises OSError with errno on -1."""
    r = fn(*args)
    if r == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def as_user(fn):
    """Runs fn() as nobody in a child; returns what it returned or the errno name it failed with."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            out = "OK " + str(fn())
        except OSError as e:
            out = errno.errorcode.get(e.errno, str(e.errno))
        except BaseException as e:  # noqa: BLE001 - a probe's own bug shows in the output
            out = "crash " + repr(e)
        os.write(w, out.encode())
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return out.decode()


# ---- names -------------------------------------------------------------------------------------

@probe
def create_exclusive_over_a_file(d):
    put(d + "/f")
    os.open(d + "/f", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)


@probe
def create_exclusive_over_a_dangling_symlink(d):
    os.symlink("nowhere", d + "/l")
    os.open(d + "/l", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)


@probe
def create_through_a_dangling_symlink(d):
    os.symlink("target", d + "/l")
    os.close(os.open(d + "/l", os.O_CREAT | os.O_WRONLY, 0o640))
    return mode(d + "/target"), os.path.islink(d + "/l")


@probe
def open_a_file_with_o_directory(d):
    os.open(put(d + "/f"), os.O_RDONLY | os.O_DIRECTORY)


@probe
def a_file_as_a_directory_in_a_path(d):
    put(d + "/f")
    os.stat(d + "/f/x")


@probe
def a_trailing_slash_on_a_file(d):
    put(d + "/f")
    os.open(d + "/f/", os.O_RDONLY)


@probe
def create_with_a_trailing_slash(d):
    os.open(d + "/new/", os.O_CREAT | os.O_WRONLY, 0o644)


@probe
def unlink_a_directory(d):
    os.mkdir(d + "/sub")
    os.unlink(d + "/sub")


@probe
def rmdir_a_file(d):
    os.rmdir(put(d + "/f"))


@probe
def rmdir_a_directory_with_entries(d):
    os.mkdir(d + "/sub")
    put(d + "/sub/f")
    os.rmdir(d + "/sub")


@probe
def rmdir_dot(d):
    os.mkdir(d + "/sub")
    os.rmdir(d + "/sub/.")


@probe
def mkdir_over_a_name(d):
    put(d + "/f")
    os.mkdir(d + "/f")


@probe
def rename_a_directory_into_itself(d):
    os.makedirs(d + "/a/b")
    os.rename(d + "/a", d + "/a/b/c")


@probe
def rename_a_directory_over_one_with_entries(d):
    os.mkdir(d + "/a")
    os.mkdir(d + "/b")
    put(d + "/b/f")
    os.rename(d + "/a", d + "/b")


@probe
def rename_a_directory_over_an_empty_one(d):
    os.mkdir(d + "/a")
    put(d + "/a/kept")
    os.mkdir(d + "/b")
    os.rename(d + "/a", d + "/b")
    return sorted(os.listdir(d)), os.listdir(d + "/b")


@probe
def rename_a_directory_over_a_file(d):
    os.mkdir(d + "/a")
    os.rename(d + "/a", put(d + "/f"))


@probe
def rename_a_file_over_a_directory(d):
    os.mkdir(d + "/a")
    os.rename(put(d + "/f"), d + "/a")


@probe
def rename_between_two_links_of_one_file(d):
    put(d + "/a", b"x")
    os.link(d + "/a", d + "/b")
    os.rename(d + "/a", d + "/b")
    return sorted(os.listdir(d)), os.stat(d + "/b").st_nlink


@probe
def rename_noreplace_over_a_file(d):
    put(d + "/a")
    put(d + "/b")
    call(libc.renameat2, -100, (d + "/a").encode(), -100, (d + "/b").encode(), 1)


@probe
def rename_exchange(d):
    put(d + "/a", b"A")
    os.mkdir(d + "/b")
    call(libc.renameat2, -100, (d + "/a").encode(), -100, (d + "/b").encode(), 2)
    return stat.S_ISDIR(os.lstat(d + "/a").st_mode), open(d + "/b", "rb").read()


@probe
def rename_exchange_with_a_missing_name(d):
    put(d + "/a")
    call(libc.renameat2, -100, (d + "/a").encode(), -100, (d + "/b").encode(), 2)


@probe
def hard_link_a_directory(d):
    os.mkdir(d + "/sub")
    os.link(d + "/sub", d + "/l")


@probe
def hard_link_over_a_name(d):
    put(d + "/a")
    put(d + "/b")
    os.link(d + "/a", d + "/b")


@probe
def names_of_255_and_256_bytes(d):
    put(d + "/" + "n" * 255)
    try:
        put(d + "/" + "n" * 256)
    except OSError as e:
        return "255 made, 256: " + errno.errorcode[e.errno]


@probe
def a_name_that_is_not_utf8(d):
    name = os.fsencode(d) + b"/\xff\xfe-name"
    fd = os.open(name, os.O_CREAT | os.O_WRONLY, 0o644)
    os.close(fd)
    return os.listdir(os.fsencode(d))


@probe
def a_symlink_loop(d):
    os.symlink("b", d + "/a")
    os.symlink("a", d + "/b")
    os.open(d + "/a", os.O_RDONLY)


@probe
def readlink_of_a_file(d):
    os.readlink(put(d + "/f"))


@probe
def a_symlink_keeps_its_target_bytes(d):
    os.symlink("../x//y/../z/", d + "/l")
    return os.readlink(d + "/l"), os.lstat(d + "/l").st_size


@probe
def directory_link_counts(d):
    os.makedirs(d + "/top/a")
    os.mkdir(d + "/top/b")
    put(d + "/top/f")
    before = os.stat(d + "/top").st_nlink
    os.rmdir(d + "/top/a")
    return before, os.stat(d + "/top").st_nlink


@probe
def fifo_and_socket_nodes(d):
    os.mkfifo(d + "/p", 0o640)
    os.mknod(d + "/s", stat.S_IFSOCK | 0o600)
    return stat.S_ISFIFO(os.lstat(d + "/p").st_mode), mode(d + "/p"), stat.S_ISSOCK(os.lstat(d + "/s").st_mode)


@probe
def rmdir_once_an_open_file_in_it_is_unlinked(d):
    os.mkdir(d + "/sub")
    fd = os.open(put(d + "/sub/f", b"x"), os.O_RDONLY)
    os.unlink(d + "/sub/f")
    os.rmdir(d + "/sub")
    return os.read(fd, 1), os.listdir(d)


@probe
def rmdir_once_an_open_file_in_it_is_renamed_over(d):
    os.mkdir(d + "/sub")
    fd = os.open(put(d + "/sub/f", b"old"), os.O_RDONLY)
    os.rename(put(d + "/sub/g", b"new"), d + "/sub/f")
    os.unlink(d + "/sub/f")
    os.rmdir(d + "/sub")
    return os.read(fd, 3)


@probe
def moving_a_directory_moves_its_parent_links(d):
    os.makedirs(d + "/a/moved")
    os.mkdir(d + "/b")
    os.rename(d + "/a/moved", d + "/b/moved")
    return os.stat(d + "/a").st_nlink, os.stat(d + "/b").st_nlink, os.stat(d + "/b/moved/..").st_ino == os.stat(d + "/b").st_ino


@probe
def rename_a_name_onto_itself(d):
    put(d + "/f", b"x")
    os.rename(d + "/f", d + "/f")
    return os.listdir(d)


@probe
def open_a_directory_for_writing(d):
    os.mkdir(d + "/sub")
    os.open(d + "/sub", os.O_RDWR)


@probe
def truncate_a_directory(d):
    os.mkdir(d + "/sub")
    os.truncate(d + "/sub", 0)


@probe
def a_symlink_to_nothing(d):
    os.symlink("", d + "/l")


@probe
def mknod_of_a_regular_file(d):
    os.mknod(d + "/f", stat.S_IFREG | 0o600)
    return stat.S_ISREG(os.lstat(d + "/f").st_mode), mode(d + "/f"), os.stat(d + "/f").st_size


@probe
def create_over_a_file_keeps_its_mode(d):
    put(d + "/f", b"x", 0o600)
    os.close(os.open(d + "/f", os.O_CREAT | os.O_WRONLY, 0o777))
    return mode(d + "/f")


@probe
def a_set_group_id_directory_passes_group_and_bit_on(d):
    os.chown(d, 0, 4242)
    os.chmod(d, 0o2775)
    put(d + "/f")
    os.mkdir(d + "/sub")
    return os.stat(d + "/f").st_gid, os.stat(d + "/sub").st_gid, mode(d + "/sub")


@probe
def many_names_created_and_half_removed(d):
    for i in range(300):
        put(d + "/n%03d" % i)
    for i in range(0, 300, 2):
        os.unlink(d + "/n%03d" % i)
    names = sorted(os.listdir(d))
    return len(names), names[0], names[-1]


@probe
def create_with_o_directory(d):
    os.open(d + "/new", os.O_CREAT | os.O_DIRECTORY | os.O_RDONLY, 0o644)


@probe
def o_path_descriptors(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_PATH)
    size = os.fstat(fd).st_size
    try:
        os.fchmod(fd, 0o600)
        return size, "fchmod OK"
    except OSError as e:
        return size, errno.errorcode[e.errno]


@probe
def sync_a_directory_and_a_read_only_file(d):
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    f = os.open(put(d + "/f", b"x"), os.O_RDONLY)
    os.fdatasync(f)
    os.fsync(f)


@probe
def rename_into_a_missing_directory(d):
    os.rename(put(d + "/f"), d + "/missing/f")


@probe
def unlink_a_file_with_a_trailing_slash(d):
    os.unlink(put(d + "/f") + "/")


@probe
def a_sticky_directory_keeps_its_mode(d):
    os.mkdir(d + "/t", 0o1777)
    os.chmod(d + "/t", 0o1777)
    return mode(d + "/t")


@probe
def paths_through_dot_dot_and_symlinks(d):
    os.makedirs(d + "/a/b")
    put(d + "/a/f", b"found")
    os.symlink("a/b", d + "/l")
    return open(d + "/l/../f", "rb").read(), open(d + "/a/b/../f", "rb").read()


@probe
def a_write_far_past_the_end(d):
    fd = os.open(d + "/f", os.O_CREAT | os.O_RDWR, 0o644)
    os.pwrite(fd, b"!", 1 << 34)
    return os.fstat(fd).st_size, os.pread(fd, 2, (1 << 34) - 1)


@probe
def a_symlinks_own_times_and_owner(d):
    os.symlink("target", d + "/l")
    os.utime(d + "/l", ns=(1_000_000_000_000_000_000, 2_000_000_000_000_000_000), follow_symlinks=False)
    os.chown(d + "/l", 1234, 5678, follow_symlinks=False)
    s = os.lstat(d + "/l")
    return s.st_mtime_ns, s.st_uid, s.st_gid, os.path.exists(d + "/target")


@probe
def a_hard_link_to_a_symlink(d):
    os.symlink("target", d + "/l")
    os.link(d + "/l", d + "/l2", follow_symlinks=False)
    return os.readlink(d + "/l2"), os.lstat(d + "/l").st_nlink


@probe
def rename_a_symlink_and_a_fifo(d):
    os.symlink("target", d + "/l")
    os.mkfifo(d + "/p")
    os.rename(d + "/l", d + "/m")
    os.rename(d + "/p", d + "/q")
    return os.readlink(d + "/m"), stat.S_ISFIFO(os.lstat(d + "/q").st_mode), sorted(os.listdir(d))


@probe
def a_fifo_without_a_reader(d):
    os.mkfifo(d + "/p")
    os.open(d + "/p", os.O_WRONLY | os.O_NONBLOCK)


@probe
def a_fifo_carries_bytes(d):
    os.mkfifo(d + "/p")
    r = os.open(d + "/p", os.O_RDONLY | os.O_NONBLOCK)
    w = os.open(d + "/p", os.O_WRONLY | os.O_NONBLOCK)
    os.write(w, b"through")
    return os.read(r, 100)


@probe
def readdir_types(d):
    os.mkdir(d + "/dir")
    put(d + "/file")
    os.symlink("file", d + "/link")
    os.mkfifo(d + "/fifo")
    return sorted((e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False),
                   e.is_symlink()) for e in os.scandir(d))


@probe
def statvfs_name_limit(d):
    return os.statvfs(d).f_namemax


# ---- bytes -------------------------------------------------------------------------------------

@probe
def o_append_ignores_the_offset(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_WRONLY | os.O_APPEND)
    os.pwrite(fd, b"XY", 0)
    os.close(fd)
    return open(d + "/f", "rb").read()


@probe
def o_append_cleared_by_fcntl(d):
    import fcntl
    fd = os.open(put(d + "/f", b"abcdef"), os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"1")
    fcntl.fcntl(fd, fcntl.F_SETFL, 0)
    os.pwrite(fd, b"X", 0)
    os.lseek(fd, 2, os.SEEK_SET)
    os.write(fd, b"Y")
    os.close(fd)
    return open(d + "/f", "rb").read()


@probe
def o_append_set_by_fcntl(d):
    import fcntl
    fd = os.open(put(d + "/f", b"abc"), os.O_WRONLY)
    fcntl.fcntl(fd, fcntl.F_SETFL, os.O_APPEND)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, b"Z")
    os.close(fd)
    return open(d + "/f", "rb").read()


@probe
def appends_through_two_names_of_one_file(d):
    put(d + "/a")
    os.link(d + "/a", d + "/b")
    a = os.open(d + "/a", os.O_WRONLY | os.O_APPEND)
    b = os.open(d + "/b", os.O_WRONLY | os.O_APPEND)
    os.write(a, b"1")
    os.write(b, b"22")
    os.write(a, b"3")
    os.write(b, b"44")
    return open(d + "/a", "rb").read()


@probe
def o_trunc_with_read_only(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY | os.O_TRUNC)
    return os.fstat(fd).st_size, os.read(fd, 3)


@probe
def a_file_renamed_while_written(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_WRONLY | os.O_APPEND)
    os.rename(d + "/f", d + "/g")
    os.write(fd, b"def")
    os.close(fd)
    return open(d + "/g", "rb").read(), os.listdir(d)


@probe
def two_descriptors_see_each_others_writes(d):
    a = os.open(put(d + "/f", b"......"), os.O_RDWR)
    b = os.open(d + "/f", os.O_RDWR)
    os.pwrite(a, b"AB", 0)
    seen = os.pread(b, 6, 0)
    os.pwrite(b, b"CD", 4)
    return seen, os.pread(a, 6, 0), os.fstat(a).st_size


@probe
def o_trunc_empties_a_file(d):
    os.close(os.open(put(d + "/f", b"abc"), os.O_WRONLY | os.O_TRUNC))
    return os.stat(d + "/f").st_size


@probe
def read_through_a_write_only_descriptor(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_WRONLY)
    os.read(fd, 3)


@probe
def write_through_a_read_only_descriptor(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY)
    os.write(fd, b"x")


@probe
def ftruncate_through_a_read_only_descriptor(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY)
    os.ftruncate(fd, 1)


@probe
def truncate_to_a_negative_size(d):
    os.truncate(put(d + "/f", b"abc"), -1)


@probe
def a_hole_reads_as_zeros(d):
    fd = os.open(d + "/f", os.O_CREAT | os.O_RDWR, 0o644)
    os.pwrite(fd, b"end", 100000)
    data = os.pread(fd, 8, 50000)
    size = os.fstat(fd).st_size
    os.close(fd)
    return data, size


@probe
def seek_data_past_the_end(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY)
    os.lseek(fd, 10, os.SEEK_DATA)


@probe
def seek_hole_in_a_full_file(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY)
    return os.lseek(fd, 0, os.SEEK_HOLE)


@probe
def truncate_up_then_read(d):
    os.truncate(put(d + "/f", b"abc"), 6)
    return open(d + "/f", "rb").read()


@probe
def punch_a_hole_without_keep_size(d):
    fd = os.open(put(d + "/f", b"a" * 8192), os.O_RDWR)
    call(libc.fallocate, fd, 0x02, ctypes.c_long(0), ctypes.c_long(4096))


@probe
def punch_a_hole(d):
    fd = os.open(put(d + "/f", b"a" * 8192), os.O_RDWR)
    call(libc.fallocate, fd, 0x03, ctypes.c_long(0), ctypes.c_long(4096))
    data = os.pread(fd, 8192, 0)
    return data.count(b"\0"), os.fstat(fd).st_size


@probe
def an_unlinked_open_file_keeps_its_bytes(d):
    fd = os.open(put(d + "/f", b"kept"), os.O_RDWR)
    os.unlink(d + "/f")
    os.pwrite(fd, b"!", 4)
    return os.pread(fd, 10, 0), os.fstat(fd).st_nlink, os.listdir(d)


@probe
def a_link_keeps_the_bytes_of_an_unlinked_name(d):
    put(d + "/a", b"shared")
    os.mkdir(d + "/other")
    os.link(d + "/a", d + "/other/b")
    os.unlink(d + "/a")
    return open(d + "/other/b", "rb").read(), os.stat(d + "/other/b").st_nlink


@probe
def copy_file_range_between_files(d):
    src = os.open(put(d + "/a", b"0123456789"), os.O_RDONLY)
    dst = os.open(d + "/b", os.O_CREAT | os.O_WRONLY, 0o644)
    n = os.copy_file_range(src, dst, 4, 3, 2)
    os.close(dst)
    return n, open(d + "/b", "rb").read()


@probe
def read_past_the_end(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDONLY)
    return os.pread(fd, 10, 2), os.pread(fd, 10, 100), os.lseek(fd, 0, os.SEEK_END)


@probe
def seek_data_in_a_file_that_is_all_hole(d):
    os.truncate(put(d + "/f"), 1 << 20)
    fd = os.open(d + "/f", os.O_RDONLY)
    return os.lseek(fd, 0, os.SEEK_DATA)


@probe
def fallocate_grows_and_keep_size_does_not(d):
    fd = os.open(put(d + "/f", b"abc"), os.O_RDWR)
    call(libc.fallocate, fd, 0x01, ctypes.c_long(0), ctypes.c_long(65536))
    kept = os.fstat(fd).st_size
    call(libc.fallocate, fd, 0, ctypes.c_long(0), ctypes.c_long(65536))
    return kept, os.fstat(fd).st_size, os.pread(fd, 4, 0)


@probe
def a_shared_mapping_and_a_read_agree(d):
    import mmap
    fd = os.open(put(d + "/f", b"." * 4096), os.O_RDWR)
    m = mmap.mmap(fd, 4096)
    m[0:5] = b"hello"
    m.flush()
    other = os.open(d + "/f", os.O_RDONLY)
    seen = os.pread(other, 5, 0)
    os.pwrite(fd, b"HE", 0)
    return seen, m[0:5]


@probe
def o_sync_and_o_dsync_writes(d):
    fd = os.open(d + "/f", os.O_CREAT | os.O_WRONLY | os.O_SYNC, 0o644)
    os.write(fd, b"sync")
    os.close(fd)
    fd = os.open(d + "/f", os.O_WRONLY | os.O_DSYNC | os.O_APPEND)
    os.write(fd, b"!")
    os.close(fd)
    return open(d + "/f", "rb").read()


@probe
def a_record_lock_held_elsewhere(d):
    import fcntl
    fd = os.open(put(d + "/f", b"x" * 100), os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        other = os.open(d + "/f", os.O_RDWR)
        try:
            fcntl.lockf(other, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
            out = b"locked"
        except OSError as e:
            out = errno.errorcode[e.errno].encode()
        try:
            fcntl.lockf(other, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 50)
            out += b", other range locked"
        except OSError as e:
            out += b", " + errno.errorcode[e.errno].encode()
        os.write(w, out)
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    return os.read(r, 100)


@probe
def a_whole_file_lock_held_elsewhere(d):
    import fcntl
    fd = os.open(put(d + "/f"), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    other = os.open(d + "/f", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)


@probe
def run_a_script_from_the_directory(d):
    import subprocess
    put(d + "/run.sh", b"#!/bin/sh\necho ran\n", 0o755)
    return subprocess.run([d + "/run.sh"], capture_output=True).stdout


# ---- times and modes ---------------------------------------------------------------------------

@probe
def a_write_changes_mtime_and_a_chmod_ctime_only(d):
    f = put(d + "/f", b"x")
    os.utime(f, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = os.stat(f)
    import time
    time.sleep(0.01)  # past a coarse clock's tick: a kernel that keeps the times may use one
    os.chmod(f, 0o600)
    after_chmod = os.stat(f)
    time.sleep(0.01)
    fd = os.open(f, os.O_WRONLY)
    os.write(fd, b"y")
    os.close(fd)
    after_write = os.stat(f)
    return (after_chmod.st_mtime_ns == before.st_mtime_ns, after_chmod.st_ctime_ns != before.st_ctime_ns,
            after_write.st_mtime_ns != before.st_mtime_ns)


@probe
def a_create_changes_its_directorys_mtime(d):
    os.utime(d, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    put(d + "/f")
    return os.stat(d).st_mtime_ns != 1_000_000_000_000_000_000


def aged(path):
    """Sets a file's times far in the past, so that any change after is seen, and returns its stat."""
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000), follow_symlinks=False)
    return os.lstat(path)


def changed(before, path):
    """Which of mtime and ctime changed since before ('m', 'c', 'mc' or '-')."""
    now = os.lstat(path)
    return ("m" if now.st_mtime_ns != before.st_mtime_ns else "") + \
        ("c" if now.st_ctime_ns != before.st_ctime_ns else "") or "-"


@probe
def what_a_rename_changes(d):
    os.mkdir(d + "/a")
    os.mkdir(d + "/b")
    f = put(d + "/a/f")
    a, b, before = aged(d + "/a"), aged(d + "/b"), aged(f)
    import time
    time.sleep(0.01)
    os.rename(f, d + "/b/f")
    return changed(before, d + "/b/f"), changed(a, d + "/a"), changed(b, d + "/b")


@probe
def what_a_link_and_an_unlink_change(d):
    f = put(d + "/f")
    before = aged(f)
    import time
    time.sleep(0.01)
    os.link(f, d + "/g")
    after_link = changed(before, f)
    before = aged(f)
    time.sleep(0.01)
    os.unlink(d + "/g")
    return after_link, changed(before, f)


@probe
def what_an_attribute_and_a_chown_change(d):
    f = put(d + "/f")
    before = aged(f)
    import time
    time.sleep(0.01)
    os.setxattr(f, "user.a", b"1")
    after_xattr = changed(before, f)
    before = aged(f)
    time.sleep(0.01)
    os.chown(f, 1234, 1234)
    return after_xattr, changed(before, f)


@probe
def what_a_truncate_to_another_size_changes(d):
    f = put(d + "/f", b"abc")
    before = aged(f)
    import time
    time.sleep(0.01)
    os.truncate(f, 1)
    return changed(before, f)


@probe
def utime_omitting_both_changes_nothing(d):
    f = put(d + "/f")
    before = aged(f)
    import time
    time.sleep(0.01)
    fd = os.open(f, os.O_RDONLY)
    call(libc.futimens, fd, (ctypes.c_long * 4)(0, (1 << 30) - 2, 0, (1 << 30) - 2))
    return changed(before, f)


@probe
def nanosecond_times_round_trip(d):
    f = put(d + "/f")
    os.utime(f, ns=(1_234_567_891_123_456_789, 987_654_321_987_654_321))
    s = os.stat(f)
    return s.st_atime_ns, s.st_mtime_ns


@probe
def chown_clears_set_id_bits_of_files_only(d):
    f = put(d + "/f")
    os.chmod(f, 0o6755)
    os.chown(f, 4321, 8765)
    g = put(d + "/g")
    os.chmod(g, 0o2745)
    os.chown(g, 4321, 8765)
    os.mkdir(d + "/sub")
    os.chmod(d + "/sub", 0o3775)
    os.chown(d + "/sub", 4321, 8765)
    return mode(f), mode(g), mode(d + "/sub")


@probe
def set_id_bits_survive_roots_write(d):
    f = put(d + "/f")
    os.chmod(f, 0o6755)
    fd = os.open(f, os.O_WRONLY)
    os.write(fd, b"x")
    os.close(fd)
    return mode(f)


# ---- extended attributes -----------------------------------------------------------------------

@probe
def a_missing_attribute(d):
    os.getxattr(put(d + "/f"), "user.none")


@probe
def xattr_create_over_one_there(d):
    f = put(d + "/f")
    os.setxattr(f, "user.a", b"1")
    os.setxattr(f, "user.a", b"2", os.XATTR_CREATE)


@probe
def xattr_replace_of_one_missing(d):
    os.setxattr(put(d + "/f"), "user.a", b"1", os.XATTR_REPLACE)


@probe
def xattrs_set_listed_and_removed(d):
    f = put(d + "/f")
    os.setxattr(f, "user.a", b"1")
    os.setxattr(f, "user.b", b"")
    os.removexattr(f, "user.a")
    return sorted(n for n in os.listxattr(f) if n.startswith("user.") and not n.startswith("user.xdevfs")), \
        os.getxattr(f, "user.b")


@probe
def remove_a_missing_attribute(d):
    os.removexattr(put(d + "/f"), "user.none")


@probe
def user_attributes_on_a_symlink(d):
    os.symlink("t", d + "/l")
    os.setxattr(d + "/l", "user.a", b"1", follow_symlinks=False)


@probe
def an_attribute_of_an_unknown_namespace(d):
    os.setxattr(put(d + "/f"), "other.a", b"1")


@probe
def get_and_remove_in_an_unknown_namespace(d):
    f = put(d + "/f")
    out = []
    for call_it in (lambda: os.getxattr(f, "other.a"), lambda: os.removexattr(f, "other.a")):
        try:
            call_it()
            out.append("OK")
        except OSError as e:
            out.append(errno.errorcode[e.errno])
    return out


@probe
def an_attribute_name_too_long(d):
    os.setxattr(put(d + "/f"), "user." + "a" * 300, b"1")


# ---- as a user ---------------------------------------------------------------------------------

def shared(d):
    os.chmod(d, 0o1777)
    return d


@probe
def a_users_create_keeps_set_id_bits(d):
    shared(d)
    return as_user(lambda: (os.close(os.open(d + "/mine", os.O_CREAT | os.O_WRONLY, 0o4755)), mode(d + "/mine"))[1])


@probe
def a_user_chmods_a_file_of_roots(d):
    shared(d)
    put(d + "/roots", mode=0o666)
    return as_user(lambda: os.chmod(d + "/roots", 0o777))


@probe
def a_user_unlinks_roots_file_in_a_sticky_directory(d):
    shared(d)
    put(d + "/roots", mode=0o666)
    return as_user(lambda: os.unlink(d + "/roots"))


@probe
def a_user_sets_times_of_a_writable_file_not_theirs(d):
    shared(d)
    f = put(d + "/roots", mode=0o666)
    return as_user(lambda: os.utime(f)), as_user(lambda: os.utime(f, (1, 1)))


@probe
def a_user_gives_a_file_away(d):
    shared(d)
    return as_user(lambda: (put(d + "/mine"), os.chown(d + "/mine", 0, 0)))


@probe
def a_user_sets_group_id_with_a_group_not_theirs(d):
    shared(d)
    f = put(d + "/mine")
    os.chown(f, NOBODY, 0)
    return as_user(lambda: (os.chmod(f, 0o2755), mode(f))[1])


@probe
def a_user_reads_a_write_only_file(d):
    shared(d)
    put(d + "/wo", b"secret", 0o622)
    return as_user(lambda: os.open(d + "/wo", os.O_RDONLY))


@probe
def a_user_creates_in_a_read_only_directory(d):
    os.chmod(d, 0o555)
    return as_user(lambda: put(d + "/x"))


@probe
def a_user_asks_access(d):
    shared(d)
    f = put(d + "/ro", mode=0o444)
    return as_user(lambda: (os.access(f, os.R_OK), os.access(f, os.W_OK), os.access(f, os.X_OK)))


@probe
def root_asks_execute_access(d):
    f = put(d + "/f", mode=0o644)
    g = put(d + "/g", mode=0o744)
    return os.access(f, os.X_OK), os.access(g, os.X_OK), os.access(f, os.W_OK)


@probe
def a_user_renames_roots_file_in_a_sticky_directory(d):
    shared(d)
    put(d + "/roots", mode=0o666)
    return as_user(lambda: os.rename(d + "/roots", d + "/mine"))


@probe
def a_user_opens_a_file_without_search_permission_on_its_directory(d):
    shared(d)
    os.mkdir(d + "/closed", 0o700)
    put(d + "/closed/f", mode=0o666)
    return as_user(lambda: os.open(d + "/closed/f", os.O_RDONLY))


@probe
def a_users_write_clears_set_id_bits(d):
    shared(d)
    f = put(d + "/tool", mode=0o666)
    os.chmod(f, 0o6777)

    def write():
        fd = os.open(f, os.O_WRONLY)
        os.write(fd, b"x")
        os.close(fd)
        return mode(f)
    return as_user(write)


@probe
def a_users_truncate_clears_set_id_bits(d):
    shared(d)
    f = put(d + "/tool", b"abc", mode=0o666)
    os.chmod(f, 0o6777)
    return as_user(lambda: (os.truncate(f, 1), mode(f))[1])


os.umask(0o022)
for i, fn in enumerate(probes):
    d = fresh("%02d" % i)
    try:
        result = fn(d)
        out = "OK" if result is None else "OK " + repr(result).replace(d, "D")
    except OSError as e:
        out = errno.errorcode.get(e.errno, str(e.errno))
    print("%s: %s" % (fn.__name__, out), flush=True)
