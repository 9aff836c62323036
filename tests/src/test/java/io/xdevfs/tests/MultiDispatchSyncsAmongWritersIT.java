package io.xdevfs.tests;

/**
 * SyncsAmongWritersIT on storage_type = tmpfs with an intent log and --dispatch multi: writes and syncs
 * of several writers processed at once on several request threads, syncs sharing the log's forces.
 */
@MountLines(value = {"storage_type = tmpfs", "[tmpfs]", "auto_mount = true", "backup_to_disk = true",
    "backup_directory = ${root}/backup", "intent_log_directory = ${root}/intent-log"}, args = {"--dispatch", "multi"})
class MultiDispatchSyncsAmongWritersIT extends SyncsAmongWritersIT {
}
