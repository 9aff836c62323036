package io.xdevfs.tests;

/** RealProgramsIT on storage_type = sparse. */
@MountLines({"storage_type = sparse"})
class SparseRealProgramsIT extends RealProgramsIT {
}
