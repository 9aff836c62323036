package io.xdevfs.tests;

/**
 * HybridRandomModelIT with fuse_writeback_cache = true: bytes the kernel sends late, gathered, still land
 * on whichever tier the file is on, while files move under the suite.
 */
@MountLines({"storage_type = hybrid", "fuse_writeback_cache = true", "[hybrid]", "hot_storage_type = regular",
    "hot_directory = ${root}/hot", "cold_storage_type = compressed", "cold_directory = ${root}/cold",
    "cold_timeout_sec = 1", "migration_interval_sec = 1"})
class HybridWritebackRandomModelIT extends RandomModelIT {
}
