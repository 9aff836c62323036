package io.xdevfs.tests;

/** RandomModelIT on storage_type = tmpfs with backups and an intent log: every change is logged, every fsync forces the log. */
@MountLines({"storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "backup_to_disk = true",
    "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log"})
class TmpfsIntentLogRandomModelIT extends RandomModelIT {
}
