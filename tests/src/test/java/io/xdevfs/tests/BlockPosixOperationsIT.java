package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = block, over a loop device. */
@MountLines({"storage_type = block"})
class BlockPosixOperationsIT extends PosixOperationsIT {
}
