package io.xdevfs.tests;

/** RealProgramsIT on storage_type = direct. */
@MountLines({"storage_type = direct"})
class DirectRealProgramsIT extends RealProgramsIT {
}
