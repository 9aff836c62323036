#!/usr/bin/env bash
# The daemon's resident memory against its memory budget (issue 16, item 13), on a compressed mount:
#   write   2 writers of SIZE each (1 MiB, half-compressible, fsync at the end), then 4 KiB random
#           overwrites for RUNTIME seconds: the load that once grew a daemon to 746 MB
#   files   FILES files created, 64 KiB written to each and all kept open at once, then closed
# Prints the budget (xdevfs stats), the peak RSS of each phase (VmRSS every 0.2 s) and their ratio.
#   bench/memory.sh                 SIZE=1G RUNTIME=15 FILES=4000 BENCH_DIR=/var/tmp/xdevfs-memory
# Needs root, fio and python3. About a minute.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-memory}
size=${SIZE:-1G}
runtime=${RUNTIME:-15}
files=${FILES:-4000}
[ "$files" -lt "$(( $(ulimit -Hn) - 100 ))" ] || files=$(( $(ulimit -Hn) - 100 ))
xdevfs="$repo/mount-scripts/xdevfs"

umount_all() { "$xdevfs" umount "$work/mnt" >/dev/null 2>&1 || true; }
trap umount_all EXIT
umount_all
rm -rf "$work"
mkdir -p "$work/mnt"
printf '[local]\nbase_directory = %s\nstorage_type = compressed\n' "$work/base" > "$work/xdevfs.ini"
"$xdevfs" mount --config "$work/xdevfs.ini" --log-file "$work/daemon.log" --pid-file "$work/pid" "$work/mnt" >/dev/null
pid=$(cat "$work/pid")

peak() { # peak VmRSS in KiB while "$@" runs
  local out="$work/rss.$1"; shift
  ( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status"; sleep 0.2; done ) > "$out" &
  local sampler=$!
  "$@" > "$work/phase.log" 2>&1 || { cat "$work/phase.log" >&2; kill "$sampler"; exit 1; }
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  sort -n "$out" | tail -1
}

write_phase() {
  fio --name=seq --directory="$work/mnt" --rw=write --bs=1M --size="$size" --numjobs=2 \
      --buffer_compress_percentage=50 --refill_buffers --end_fsync=1 --group_reporting
  fio --name=rand --directory="$work/mnt" --rw=randwrite --bs=4k --size=256M --time_based --runtime="$runtime" \
      --buffer_compress_percentage=50 --refill_buffers
}

files_phase() {
  python3 - "$work/mnt/many" "$files" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
block = os.urandom(32768) + bytes(32768)
fds = [os.open(f"{d}/f{i}", os.O_CREAT | os.O_RDWR, 0o644) for i in range(n)]
for fd in fds:
    os.write(fd, block)
for fd in fds[::100]:
    os.fsync(fd)
for fd in fds:
    os.close(fd)
PY
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # the python phase keeps FILES descriptors open
budget=$("$xdevfs" stats --json "$work/mnt" | awk -F': ' '/"memory_budget_bytes"/ {gsub(/[^0-9]/, "", $2); print $2}')
idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
w=$(peak write write_phase)
f=$(peak files files_phase)
mib() { echo $(( $1 / 1024 )); }
echo "memory budget            $(( budget / 1048576 )) MiB   ($(grep -o 'memory budget [^;]*' "$work/daemon.log" | head -1))"
echo "RSS after mount          $(mib "$idle") MiB"
ratio() { awk -v a="$1" -v b="$budget" 'BEGIN { printf "%.2f", a * 1024 / b }'; }
echo "peak RSS, writes         $(mib "$w") MiB   $(ratio "$w")x the budget"
echo "peak RSS, $files open files $(mib "$f") MiB   $(ratio "$f")x the budget"
grep -E 'ERROR|OutOfMemory' "$work/daemon.log" && { echo "the daemon logged errors (above)" >&2; exit 1; }
exit 0
