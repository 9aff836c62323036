#!/usr/bin/env bash
# Issue 18's p99 with the mounts' streams in turns (bench/wal_turns.py) instead of rounds: "alone" (the hot
# tier's type alone) and "hybrid" (that hot tier, a zstd cold tier, segments going cold 1 s after they are
# closed), both mounted for the whole run over one filesystem; RUNS runs, each printing the mounts'
# fdatasync percentiles, then the per-run ratio hybrid/alone. docs/benchmarks.md, "Hybrid in turns".
#
#   RUNS=3 RATE=2500 TURNS=8 PER_TURN=8 SKIP=2.5 bench/hybrid-turns.sh
#   COLD_ROOT=/mnt/other-disk   where the hybrid's cold tier goes (default: BENCH_DIR, the hot tier's disk)
#   EXTRA="nomoves=cold_timeout_sec = 3600"   a third mount: the hybrid with these [hybrid] lines ('|' separates; a
#                                             line replaces the default of its key where it is, so
#                                             EXTRA="pt=fuse_passthrough = true" sets the [local] key)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-hybrid-turns}
cold_root=${COLD_ROOT:-$work}
results="$here/results/turns-$(date +%Y%m%d-%H%M%S)"
targets=(alone hybrid)
extra_name=${EXTRA:-}; extra_name=${extra_name%%=*}
[ -n "${EXTRA:-}" ] && targets+=("$extra_name")
cleanup() {
  for t in "${targets[@]}"; do
    if findmnt "$work/$t" >/dev/null 2>&1; then fusermount3 -u "$work/$t" 2>/dev/null || umount -l "$work/$t" || true; fi
  done
}
trap cleanup EXIT
hybrid_ini() { # name, extra [hybrid] lines
  cat <<INI
[local]
base_directory = $work/$1-base
storage_type = hybrid
fuse_passthrough = auto
compression_type = zstd
[hybrid]
hot_storage_type = regular
hot_directory = $work/$1-hot
hot_cache_size = 256M
cold_storage_type = compressed
cold_directory = $cold_root/$1-cold
cold_timeout_sec = 1
migration_interval_sec = 1
INI
}
with_lines() { # stdin: an ini; $1: lines ('|' separates) that replace the keys they name where they are, or are added at the end
  awk -v extra="$1" 'BEGIN { n = split(extra, add, "|"); for (i = 1; i <= n; i++) { k = add[i]; sub(/ *=.*/, "", k); line[k] = add[i] } }
    { k = $0; sub(/ *=.*/, "", k); if (k in line) { print line[k]; delete line[k] } else print }
    END { for (k in line) if (line[k] != "") print line[k] }'
}
mkdir -p "$results"
for run in $(seq 1 "${RUNS:-3}"); do
  cleanup
  rm -rf "$work" "$cold_root"/{hybrid,"$extra_name"}-cold
  mkdir -p "$work"
  printf '[local]\nbase_directory = %s/alone-base\nstorage_type = regular\n' "$work" > "$work/alone.ini"
  hybrid_ini hybrid > "$work/hybrid.ini"
  [ -n "${EXTRA:-}" ] && hybrid_ini "$extra_name" | with_lines "${EXTRA#*=}" > "$work/$extra_name.ini"
  mounts=()
  for t in "${targets[@]}"; do
    mkdir -p "$work/$t"
    "$repo/mount-scripts/xdevfs" mount --config "$work/$t.ini" --log-file "$results/$t-$run.log" "$work/$t" >&2
    mounts+=("$work/$t")
  done
  python3 "$here/wal_turns.py" "${RATE:-2500}" "${TURNS:-8}" "${PER_TURN:-8}" "${SKIP:-2.5}" "${KEEP:-32}" "${mounts[@]}" \
    | sed "s/^{/{\"run\": $run, /" | tee -a "$results/runs.jsonl"
done
cleanup
rm -rf "$work" "$cold_root"/{hybrid,"$extra_name"}-cold
python3 - "$results/runs.jsonl" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[r['run']][r['mount']] = r
for name in sorted({m for r in runs.values() for m in r} - {'alone'}):
    p99 = [r[name]['fdatasync_us']['p99'] / r['alone']['fdatasync_us']['p99'] for r in runs.values()]
    p50 = [r[name]['fdatasync_us']['p50'] / r['alone']['fdatasync_us']['p50'] for r in runs.values()]
    moves = [r[name]['moves_to_cold'] for r in runs.values()]
    print('%s/alone fdatasync p99 per run %s (median %.2f); p50 %s; moves per run %s' % (
        name, ' '.join('%.2f' % x for x in p99), statistics.median(p99), ' '.join('%.2f' % x for x in p50), moves))
PY
