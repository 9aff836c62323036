package io.xdevfs.tests;

/** SyncsAmongWritersIT on a block device with its files stored compressed (units freed and discarded under the writers). */
@MountLines({"storage_type = block", "enable_compression = true", "chunk_size = 16K", "compression_threshold = 512"})
class BlockCompressedSyncsAmongWritersIT extends SyncsAmongWritersIT {
}
