#!/usr/bin/env bash
# The hybrid WAL benchmark (docs/hybrid.md): bench/hybrid_wal.py's segment stream on two xdevfs mounts
# over one filesystem, interleaved per round in a changing order (lib.sh round_order): "alone" (the hot tier's type
# alone, HOT_TYPE: regular or tmpfs) and "hybrid" (that hot tier, zstd-compressed cold tier, segments going cold 1 s after they
# are closed, so moves run while the stream writes). Prints each round's JSON and the medians, and the
# per-round ratio hybrid/alone of appends/s and fdatasync p99.
#
#   STREAM=1G ROUNDS=3 KEEP=8 HOT_CACHE=256M BENCH_DIR=/var/tmp/xdevfs-hybrid-bench bench/hybrid-wal.sh
#   HOT_TYPE=tmpfs (default regular)  COLD_TYPE=regular (default compressed)  CODEC=lz4 (default zstd)  COLD_TIMEOUT=3600 (no moves: the layer alone)
#   COLD_ROOT=/mnt/other-disk  where the cold tiers' directories go (default BENCH_DIR: the hot tier's disk)
#   RATE=2500  at most this many appends a second (default: as fast as each target goes), so every target
#              sees the same moves in the same time
#   OLD_JAR=/tmp/old/fs/target/xdevfs.jar  also run "hybrid-old": the same hybrid with an earlier build (see
#                                          bench/compare-builds.sh for making one), for a change smaller than the noise between runs
#   OLD_LINES="fuse_passthrough = false"   [local] lines added to "hybrid-old" only ('|' separates); without OLD_JAR
#                                          it runs this build: a setting against the default, in the same rounds
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-hybrid-bench}
cold_root=${COLD_ROOT:-$work}
stream=$(numfmt --from=iec "${STREAM:-1G}")
rounds=${ROUNDS:-3}
keep=${KEEP:-8}
results="$here/results/hybrid-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
cleanup() {
  for m in "$work"/alone "$work"/hybrid "$work"/hybrid-old; do
    if findmnt "$m" >/dev/null 2>&1; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" || true; fi
  done
  for m in "$work"/alone-base "$work"/hybrid-hot "$work"/hybrid-old-hot; do # tmpfs hot tiers xdevfs mounted (it leaves them up)
    if findmnt --mountpoint "$m" >/dev/null 2>&1; then umount -l "$m" || true; fi
  done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"/{alone,hybrid,hybrid-old}
cold_type=${COLD_TYPE:-compressed}
hot_type=${HOT_TYPE:-regular}
tmpfs_lines() { [ "$hot_type" = tmpfs ] && printf '[tmpfs]\nauto_mount = true\ntmpfs_size = 1G\n' || true; }
{ printf '[local]\nbase_directory = %s\nstorage_type = %s\n' "$work/alone-base" "$hot_type"; tmpfs_lines; } > "$work/alone.ini"
cat > "$work/hybrid.ini" <<INI
[local]
base_directory = $work/hybrid-base
storage_type = hybrid
$([ "$cold_type" = compressed ] && echo "compression_type = ${CODEC:-zstd}")
[hybrid]
hot_storage_type = $hot_type
hot_directory = $work/hybrid-hot
hot_cache_size = ${HOT_CACHE:-256M}
cold_storage_type = $cold_type
cold_directory = $cold_root/hybrid-cold
cold_timeout_sec = ${COLD_TIMEOUT:-1}
migration_interval_sec = 1
$(tmpfs_lines)
INI
targets=(alone hybrid)
if [ -n "${OLD_JAR:-}${OLD_LINES:-}" ]; then
  targets+=(hybrid-old)
  sed "s#$work/hybrid-#$work/hybrid-old-#; s#$cold_root/hybrid-cold#$cold_root/hybrid-old-cold#" "$work/hybrid.ini" |
    awk -v extra="${OLD_LINES:-}" '{ print } /^storage_type = hybrid$/ && extra != "" { n = split(extra, a, "|"); for (i = 1; i <= n; i++) print a[i] }' \
    > "$work/hybrid-old.ini"
fi
for round in $(seq 1 "$rounds"); do
  mapfile -t order < <(round_order "$round" "${targets[@]}")
  for t in "${order[@]}"; do
    jar=""
    if [ "$t" = hybrid-old ]; then jar=${OLD_JAR:-}; fi
    XDEVFS_JAR=${jar:-${XDEVFS_JAR:-}} "$repo/mount-scripts/xdevfs" mount --config "$work/$t.ini" --log-file "$results/$t.log" "$work/$t" >&2
    python3 "$here/hybrid_wal.py" "$work/$t" "$stream" "$keep" "$t" | tee -a "$results/rounds.jsonl"
    fusermount3 -u "$work/$t"
    sleep 1
    cleanup
    rm -rf "$work/$t-base" "$work/hybrid-hot" "$cold_root/hybrid-cold" "$work/hybrid-old-hot" "$cold_root/hybrid-old-cold"
  done
done
python3 - "$results/rounds.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {t: [r for r in rows if r['target'] == t] for t in ('alone', 'hybrid', 'hybrid-old')}
by = {t: rs for t, rs in by.items() if rs}
for t, rs in by.items():
    print('%-8s appends/s %6d  fdatasync p50 %7.1f us  p99 %7.1f us  max %8.1f us (medians of %d rounds)' % (
        t, statistics.median(r['appends_per_s'] for r in rs), statistics.median(r['fdatasync_us']['p50'] for r in rs),
        statistics.median(r['fdatasync_us']['p99'] for r in rs), statistics.median(r['fdatasync_us']['max'] for r in rs), len(rs)))
ratios = [(h['appends_per_s'] / r['appends_per_s'], h['fdatasync_us']['p99'] / r['fdatasync_us']['p99'])
          for r, h in zip(by['alone'], by['hybrid'])]
print('hybrid/alone per round: appends/s ' + ' '.join('%.2f' % a for a, _ in ratios)
      + '; fdatasync p99 ' + ' '.join('%.2f' % p for _, p in ratios))
if 'hybrid-old' in by:
    old = [(o['appends_per_s'] / r['appends_per_s'], o['fdatasync_us']['p99'] / r['fdatasync_us']['p99'])
           for r, o in zip(by['alone'], by['hybrid-old'])]
    print('hybrid-old/alone per round: appends/s ' + ' '.join('%.2f' % a for a, _ in old)
          + '; fdatasync p99 ' + ' '.join('%.2f' % p for _, p in old))
h = by['hybrid']
print('hybrid: hot peak %s of high-water %s bytes; moves to cold %s (aborted %s); longest switch %s s; cold %s bytes stored for %s'
      % ([r['hot_peak_bytes'] for r in h], h[0]['hot_high_water_bytes'], [r['moves_to_cold'] for r in h],
         [r['moves_aborted'] for r in h], [r['switch_wait_max_s'] for r in h], [r['cold_stored_bytes'] for r in h],
         [r['cold_bytes'] for r in h]))
PY
