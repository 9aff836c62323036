package io.xdevfs.tests;

/** RealProgramsIT on storage_type = mmap. */
@MountLines({"storage_type = mmap"})
class MmapRealProgramsIT extends RealProgramsIT {
}
