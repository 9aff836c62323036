package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = mmap. */
@MountLines({"storage_type = mmap"})
class MmapPosixOperationsIT extends PosixOperationsIT {
}
