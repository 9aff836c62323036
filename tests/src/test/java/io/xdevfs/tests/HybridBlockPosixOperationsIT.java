package io.xdevfs.tests;

/**
 * PosixOperationsIT on storage_type = hybrid with a block cold tier (a loop device), files going cold
 * one second after their last write, so that they move onto the device under the suite.
 */
@MountLines({"storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = ${root}/hot",
    "cold_storage_type = block", "cold_timeout_sec = 1", "migration_interval_sec = 1"})
class HybridBlockPosixOperationsIT extends PosixOperationsIT {
}
