package io.xdevfs.tests;

/**
 * TmpfsIntentLogRandomModelIT with fuse_writeback_cache = true: a sync logs what the kernel sent for it,
 * which arrives just before the FSYNC.
 */
@MountLines({"storage_type = tmpfs", "fuse_writeback_cache = true", "[tmpfs]", "auto_mount = true",
    "backup_to_disk = true", "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log"})
class TmpfsIntentLogWritebackRandomModelIT extends RandomModelIT {
}
