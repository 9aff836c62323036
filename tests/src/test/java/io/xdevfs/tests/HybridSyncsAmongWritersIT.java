package io.xdevfs.tests;

/** SyncsAmongWritersIT on a hybrid whose files go cold a second after their last write, so they move under the writers. */
@MountLines({"storage_type = hybrid", "[hybrid]", "hot_storage_type = regular", "hot_directory = ${root}/hot",
    "cold_storage_type = compressed", "cold_directory = ${root}/cold", "cold_timeout_sec = 1",
    "migration_interval_sec = 1"})
class HybridSyncsAmongWritersIT extends SyncsAmongWritersIT {
}
