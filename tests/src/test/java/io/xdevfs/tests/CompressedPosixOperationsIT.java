package io.xdevfs.tests;

/** PosixOperationsIT on storage_type = compressed, with small chunks so that files span many of them. */
@MountLines({"storage_type = compressed", "chunk_size = 16K", "compression_threshold = 512"})
class CompressedPosixOperationsIT extends PosixOperationsIT {
    /**
     * A compressed file reports all data (SEEK_DATA finds its start, as lseek allows), and promises no
     * space: fallocate's mode 0 and KEEP_SIZE are EOPNOTSUPP (docs/semantics.md).
     */
    @Override
    java.util.Map<String, String> knownDifferences() {
        java.util.Map<String, String> differences = new java.util.HashMap<>(super.knownDifferences());
        differences.put("seek_data_in_a_file_that_is_all_hole", "OK 0");
        differences.put("fallocate_grows_and_keep_size_does_not", "ENOTSUP");
        return differences;
    }
}
