package io.xdevfs.tests;

/** RealProgramsIT on storage_type = tmpfs, over a tmpfs xdevfs mounts itself. */
@MountLines({"storage_type = tmpfs", "[tmpfs]", "auto_mount = true"})
class TmpfsRealProgramsIT extends RealProgramsIT {
}
