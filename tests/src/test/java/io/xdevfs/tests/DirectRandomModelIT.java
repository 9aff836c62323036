package io.xdevfs.tests;

/** RandomModelIT on storage_type = direct. */
@MountLines({"storage_type = direct"})
class DirectRandomModelIT extends RandomModelIT {
}
