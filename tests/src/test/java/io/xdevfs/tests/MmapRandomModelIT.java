package io.xdevfs.tests;

/** RandomModelIT on storage_type = mmap, with 1 MiB windows so that files span several. */
@MountLines({"storage_type = mmap", "mmap_size = 1M"})
class MmapRandomModelIT extends RandomModelIT {
}
