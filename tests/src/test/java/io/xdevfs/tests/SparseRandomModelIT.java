package io.xdevfs.tests;

/** RandomModelIT on storage_type = sparse. */
@MountLines({"storage_type = sparse"})
class SparseRandomModelIT extends RandomModelIT {
}
