package io.xdevfs.tests;

/**
 * RealProgramsIT on storage_type = hybrid (regular hot tier, compressed cold tier) with files going cold one
 * second after their last write, so that they move under the suite.
 */
@MountLines({"storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = ${root}/hot",
    "cold_storage_type = compressed", "cold_directory = ${root}/cold", "cold_timeout_sec = 1",
    "migration_interval_sec = 1"})
class HybridRealProgramsIT extends RealProgramsIT {
}
