package io.xdevfs.tests;

/** RealProgramsIT on storage_type = block, over a loop device. */
@MountLines({"storage_type = block"})
class BlockRealProgramsIT extends RealProgramsIT {
}
