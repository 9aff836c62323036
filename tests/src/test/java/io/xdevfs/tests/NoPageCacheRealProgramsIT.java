package io.xdevfs.tests;

/**
 * RealProgramsIT with enable_page_cache = false (FUSE direct_io): every read and write is a request,
 * and sqlite3's WAL mode still works because the kernel may map such files MAP_SHARED.
 */
@MountLines({"enable_page_cache = false"})
class NoPageCacheRealProgramsIT extends RealProgramsIT {
}
