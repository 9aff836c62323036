package io.xdevfs.tests;

/**
 * RandomModelIT on storage_type = hybrid whose cold tier is a loop device holding its files compressed
 * (cold_storage_type = block, cold_enable_compression = true); files go cold one second after their
 * last write, so that they move onto the device, compressed, under the model.
 */
@MountLines({"storage_type = hybrid", "chunk_size = 16K", "compression_threshold = 512", "[hybrid]",
    "hot_storage_type = regular", "hot_directory = ${root}/hot", "cold_storage_type = block",
    "cold_enable_compression = true", "cold_timeout_sec = 1", "migration_interval_sec = 1"})
class HybridCompressedBlockRandomModelIT extends RandomModelIT {
}
