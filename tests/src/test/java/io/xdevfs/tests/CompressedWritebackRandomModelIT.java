package io.xdevfs.tests;

/**
 * RandomModelIT on the compressed type with fuse_writeback_cache = true: the bytes that arrive late,
 * in the kernel's pieces, are still compressed chunk by chunk.
 */
@MountLines({"storage_type = compressed", "chunk_size = 16K", "compression_threshold = 512", "fuse_writeback_cache = true"})
class CompressedWritebackRandomModelIT extends RandomModelIT {
}
