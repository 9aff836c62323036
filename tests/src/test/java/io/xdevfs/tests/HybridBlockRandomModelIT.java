package io.xdevfs.tests;

/**
 * RandomModelIT on a hybrid whose cold tier is a block device: files move
 * between the hot tier's directory and the device under the random operations.
 */
@MountLines({"storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = ${root}/hot",
    "cold_storage_type = block", "cold_timeout_sec = 1", "migration_interval_sec = 1"})
class HybridBlockRandomModelIT extends RandomModelIT {
}
