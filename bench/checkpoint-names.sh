#!/usr/bin/env bash
# How long a create waits for a checkpoint: storage_type = tmpfs with an intent log and a copy every
# second (backup_interval_sec = 1), a program creating small files one at a time (3 directories of
# FILES files of 3,000 bytes, a pause of 1.2 s after each), a fresh mount per round. Prints the
# creates' p50, p99 and longest latency and the mount's tmpfs_backup_hold_seconds_max (how long
# names waited for the longest copy). With OLD_JAR, an earlier build runs too, rounds interleaved.
#   ROUNDS=4 FILES=3000 bench/checkpoint-names.sh
#   OLD_JAR=/tmp/old/fs/target/xdevfs.jar   also "xdevfs-old" (see bench/compare-builds.sh)
#   BENCH_DIR=/var/tmp/xdevfs-checkpoint-names
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-checkpoint-names}
xdevfs="$repo/mount-scripts/xdevfs"
results="$here/results/checkpoint-names-$(date +%Y%m%d-%H%M%S)"
. "$here/lib.sh"
targets=(xdevfs)
if [ -n "${OLD_JAR:-}" ]; then targets+=(xdevfs-old); fi
jar_of() { if [ "$1" = xdevfs-old ]; then echo "$OLD_JAR"; else echo "${XDEVFS_JAR:-}"; fi; }
cleanup() {
  local t
  for t in "${targets[@]}"; do
    XDEVFS_JAR=$(jar_of "$t") "$xdevfs" umount "$work/$t" >/dev/null 2>&1 || true
    if findmnt "$work/$t-base" >/dev/null 2>&1; then umount "$work/$t-base" || umount -l "$work/$t-base"; fi
  done
}
trap cleanup EXIT
cleanup
mkdir -p "$results"
echo "$(nproc) cores, kernel $(uname -r); backups and log on $(findmnt -no FSTYPE -T "$(dirname "$work")")" | tee "$results/machine.txt"
cat > "$work.creates.py" <<'PY'
import json, os, sys, time
root, n, target, rnd = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lat = []
for d in range(3):
    os.makedirs(f"{root}/d{d}")
    for i in range(n):
        t = time.perf_counter()
        fd = os.open(f"{root}/d{d}/f{i}", os.O_CREAT | os.O_WRONLY, 0o644)
        lat.append(time.perf_counter() - t)
        os.write(fd, b"x" * 3000)
        os.close(fd)
    time.sleep(1.2)
lat.sort()
print(json.dumps({"round": rnd, "target": target, "p50_us": lat[len(lat) // 2] * 1e6,
                  "p99_us": lat[int(len(lat) * .99)] * 1e6, "max_ms": lat[-1] * 1e3}))
PY
for ((round = 1; round <= ${ROUNDS:-4}; round++)); do
  for t in $(round_order "$round" "${targets[@]}"); do
    rm -rf "${work:?}/$t" "$work/$t-base" "$work/$t-backup" "$work/$t-log"
    mkdir -p "$work/$t" "$work/$t-base"
    printf '[local]\nbase_directory = %s\nstorage_type = tmpfs\n[tmpfs]\nauto_mount = true\ntmpfs_size = 1G\nbackup_to_disk = true\nbackup_interval_sec = 1\nbackup_directory = %s\nintent_log_directory = %s\n' \
      "$work/$t-base" "$work/$t-backup" "$work/$t-log" > "$work/$t.ini"
    XDEVFS_JAR=$(jar_of "$t") "$xdevfs" mount --config "$work/$t.ini" --log-file "$results/$t-$round.log" "$work/$t" >&2
    line=$(python3 "$work.creates.py" "$work/$t" "${FILES:-3000}" "$t" "$round")
    hold=$(XDEVFS_JAR=$(jar_of "$t") "$xdevfs" stats "$work/$t" | awk '/tmpfs_backup_hold_seconds_max/ {print $2}')
    echo "${line%\}}, \"hold_max_s\": $hold}" | tee -a "$results/rounds.jsonl"
    XDEVFS_JAR=$(jar_of "$t") "$xdevfs" umount "$work/$t" >&2
    umount "$work/$t-base"
  done
done
python3 - "$results/rounds.jsonl" <<'PY' | tee "$results/summary.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
targets = list(dict.fromkeys(r['target'] for r in rows))
print('| target | create p50 µs | p99 µs | longest ms (per round) | names held at most, s (per round) |')
print('|---|---:|---:|---|---|')
for t in targets:
    mine = [r for r in rows if r['target'] == t]
    print('| %s | %.0f | %.0f | %s | %s |' % (t, statistics.median(r['p50_us'] for r in mine),
          statistics.median(r['p99_us'] for r in mine), ' '.join('%.1f' % r['max_ms'] for r in mine),
          ' '.join('%.3f' % r['hold_max_s'] for r in mine)))
PY
