package io.xdevfs.tests;

/** RandomModelIT with fuse_writeback_cache = true: writes reach the daemon late, gathered, and must still add up. */
@MountLines({"fuse_writeback_cache = true"})
class WritebackRandomModelIT extends RandomModelIT {
}
