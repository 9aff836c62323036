package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = sparse. */
@MountLines({"storage_type = sparse"})
class SparsePosixOperationsIT extends PosixOperationsIT {
}
