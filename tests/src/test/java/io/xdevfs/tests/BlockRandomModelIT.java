package io.xdevfs.tests;

/** RandomModelIT on storage_type = block, over a loop device. */
@MountLines({"storage_type = block"})
class BlockRandomModelIT extends RandomModelIT {
}
