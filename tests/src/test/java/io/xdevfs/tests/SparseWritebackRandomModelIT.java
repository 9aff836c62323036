package io.xdevfs.tests;

/** RandomModelIT on storage_type = sparse with fuse_writeback_cache = true: late, gathered writes still punch holes right. */
@MountLines({"storage_type = sparse", "fuse_writeback_cache = true"})
class SparseWritebackRandomModelIT extends RandomModelIT {
}
