package io.xdevfs.tests;

/** RandomModelIT on storage_type = tmpfs, over a tmpfs xdevfs mounts itself. */
@MountLines({"storage_type = tmpfs", "[tmpfs]", "auto_mount = true"})
class TmpfsRandomModelIT extends RandomModelIT {
}
