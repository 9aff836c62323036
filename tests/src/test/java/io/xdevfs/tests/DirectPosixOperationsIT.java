package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = direct. */
@MountLines({"storage_type = direct"})
class DirectPosixOperationsIT extends PosixOperationsIT {
}
