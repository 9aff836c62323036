package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = tmpfs, over a tmpfs xdevfs mounts itself. */
@MountLines({"storage_type = tmpfs", "[tmpfs]", "auto_mount = true"})
class TmpfsPosixOperationsIT extends PosixOperationsIT {
}
