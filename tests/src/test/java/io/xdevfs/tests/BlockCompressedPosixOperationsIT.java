package io.xdevfs.tests;

/**
 * PosixOperationsIT on storage_type = block over a loop device with its files stored compressed on the device
 * (enable_compression = true), small chunks so that files span many of them.
 */
@MountLines({"storage_type = block", "enable_compression = true", "chunk_size = 16K", "compression_threshold = 512"})
class BlockCompressedPosixOperationsIT extends CompressedPosixOperationsIT { // and its known answers
}
