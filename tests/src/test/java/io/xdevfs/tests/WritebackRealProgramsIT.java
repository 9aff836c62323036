package io.xdevfs.tests;

/** RealProgramsIT with fuse_writeback_cache = true. */
@MountLines({"fuse_writeback_cache = true"})
class WritebackRealProgramsIT extends RealProgramsIT {
}
