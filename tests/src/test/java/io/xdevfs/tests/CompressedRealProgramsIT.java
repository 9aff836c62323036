package io.xdevfs.tests;

/** RealProgramsIT on storage_type = compressed, with small chunks so that files span many of them. */
@MountLines({"storage_type = compressed", "chunk_size = 16K", "compression_threshold = 512"})
class CompressedRealProgramsIT extends RealProgramsIT {
}
