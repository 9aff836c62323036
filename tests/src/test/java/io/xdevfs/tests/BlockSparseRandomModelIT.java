package io.xdevfs.tests;

/** RandomModelIT on storage_type = block over a loop device with its files stored sparse (enable_sparse = true). */
@MountLines({"storage_type = block", "enable_sparse = true"})
class BlockSparseRandomModelIT extends RandomModelIT {
}
