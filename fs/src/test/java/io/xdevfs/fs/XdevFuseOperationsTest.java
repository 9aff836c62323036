package io.xdevfs.fs;

import io.xdevfs.fs.fuse.XdevFuse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The callbacks handed to libfuse are exactly the operations docs/fuse-requests.md lists as served:
 * every other slot is empty, so libfuse answers ENOSYS and nothing can read as a silent success
 * (jnr-fuse's FuseStubFS answers 0 for lock, flock, fsync, ... if they are registered).
 */
class XdevFuseOperationsTest {
    @Test
    void onlyTheServedOperationsHaveCallbacks() {
        XdevFuse fuse;
        try {
            fuse = new XdevFuse(null, true, io.xdevfs.fs.session.InitReply.Asks.NOTHING, 0, 0);
        } catch (LinkageError | RuntimeException e) {
            Assumptions.abort("libfuse2 is not installed here: " + e);
            return;
        }
        Set<String> served = new TreeSet<>(Set.of("getattr", "readlink", "mknod", "mkdir", "unlink", "rmdir",
                "symlink", "rename", "link", "chmod", "chown", "truncate", "open", "read", "write", "statfs",
                "release", "fsync", "setxattr", "getxattr", "listxattr", "removexattr", "opendir", "readdir",
                "releasedir", "fsyncdir", "init", "destroy", "access", "create", "ftruncate", "fgetattr", "utimens",
                "fallocate"));
        assertEquals(served, fuse.operationsWithCallbacks(),
                "not served, so ENOSYS: getdir, utime, flush, lock, flock, bmap, ioctl, poll, read_buf, write_buf");
    }
}
