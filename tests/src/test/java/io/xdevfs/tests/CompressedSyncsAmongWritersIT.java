package io.xdevfs.tests;

/** SyncsAmongWritersIT on storage_type = compressed, small chunks: syncs punch garbage while others write. */
@MountLines({"storage_type = compressed", "chunk_size = 16K", "compression_threshold = 512"})
class CompressedSyncsAmongWritersIT extends SyncsAmongWritersIT {
}
