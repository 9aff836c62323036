#!/usr/bin/env bash
# Where a WAL writer's fdatasync waits on one mount: bench/hybrid_wal.py's stream (RATE appends/s, default
# 2500) on a fresh mount of CONFIG, traced with the kernel's FUSE request tracepoints and the fdatasync
# system calls (tracefs, root), then bench/fsync_trace.py splits each FSYNC request into the daemon's own
# fdatasync and the wait outside it (queued behind other requests, scheduling). docs/benchmarks.md,
# "Statistics on the request thread".
#
#   CONFIG=/path/to/xdevfs.ini XDEVFS_JAR=/tmp/old.jar STREAM=256M bench/fsync-trace.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-fsync-trace}
stream=$(numfmt --from=iec "${STREAM:-256M}")
T=/sys/kernel/tracing
events="fuse/fuse_request_send fuse/fuse_request_end syscalls/sys_enter_fdatasync syscalls/sys_exit_fdatasync"
cleanup() {
  echo 0 > $T/tracing_on
  for e in $events; do echo 0 > "$T/events/$e/enable"; done
  if findmnt "$work/mnt" >/dev/null 2>&1; then fusermount3 -u "$work/mnt" || umount -l "$work/mnt"; fi
}
trap cleanup EXIT
rm -rf "$work" && mkdir -p "$work/mnt"
config=${CONFIG:-}
if [ -z "$config" ]; then
  config=$work/regular.ini
  printf '[local]\nbase_directory = %s/base\nstorage_type = regular\n' "$work" > "$config"
fi
"$repo/mount-scripts/xdevfs" mount --config "$config" --log-file "$work/daemon.log" "$work/mnt" >&2
echo 0 > $T/tracing_on; echo > $T/trace; echo 65536 > $T/buffer_size_kb
for e in $events; do echo 1 > "$T/events/$e/enable"; done
echo 1 > $T/tracing_on
RATE=${RATE:-2500} python3 "$here/hybrid_wal.py" "$work/mnt" "$stream" 32 traced & writer=$!
wait $writer
echo 0 > $T/tracing_on
cat $T/trace > "$work/trace.txt"
echo > $T/trace
python3 "$here/fsync_trace.py" "$work/trace.txt" "$writer"
