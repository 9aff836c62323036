package io.xdevfs.tests;

/** SyncsAmongWritersIT on storage_type = tmpfs with backups and an intent log: concurrent syncs share the log's forces. */
@MountLines({"storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "backup_to_disk = true",
    "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log"})
class TmpfsIntentLogSyncsAmongWritersIT extends SyncsAmongWritersIT {
}
