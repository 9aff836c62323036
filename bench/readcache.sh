#!/usr/bin/env bash
# The read cache (enable_read_cache) where it pays: random 4 KiB reads of a 256 MiB working set after
# the kernel's caches were dropped (echo 3 > /proc/sys/vm/drop_caches), which empties the page cache
# of the mount and of the backing disk alike but not the daemon's heap. Then a streaming write that
# does not fit the cache, to show it costs nothing there. xdevfs with and without the cache,
# interleaved, ROUNDS times; medians. Needs root and fio.
#   ROUNDS=3 RUNTIME=8 CACHE_SIZE=512M bench/readcache.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-readcache}
rounds=${ROUNDS:-3}
runtime=${RUNTIME:-8}
results="$here/results/readcache-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
targets=(nocache cache)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
cleanup() { unmount_targets "${targets[@]}"; }
trap cleanup EXIT
cleanup
rm -rf "$work"
mount_target nocache "" "$results"
mount_target cache "enable_read_cache = true|cache_size = ${CACHE_SIZE:-512M}" "$results"
xdevfs() { "$repo/mount-scripts/xdevfs" "$@"; }
for round in $(seq 1 "$rounds"); do
  # The order alternates: a streaming write right after another target's 1 GiB write and rm runs slower
  # (writeback of the previous file), whichever target it is.
  order=("${targets[@]}")
  if [ $((round % 2)) = 0 ]; then order=("${targets[1]}" "${targets[0]}"); fi
  for t in "${order[@]}"; do
    dir="$work/$t"
    # lay out and read the working set once: the daemon's cache (if any) now holds it
    fio --name=ws --directory="$dir" --size=256M --bs=1M --rw=read --output-format=terse >/dev/null
    sync; echo 3 > /proc/sys/vm/drop_caches
    xdevfs stats --reset "$dir" >/dev/null
    echo "round $round: $t randread after drop_caches" >&2
    fio --name=ws --directory="$dir" --size=256M --bs=4k --rw=randread --ioengine=psync --time_based=1 \
      --runtime="$runtime" --invalidate=0 --output-format=json --output="$results/randread.$t.$round.json"
    xdevfs stats --json "$dir" > "$results/stats.$t.$round.json"
    rm -f "$dir"/*
    echo "round $round: $t streaming write" >&2
    fio --name=stream --directory="$dir" --size=1G --bs=1M --rw=write --end_fsync=1 --ioengine=psync \
      --output-format=json --output="$results/seqwrite.$t.$round.json"
    rm -f "$dir"/*
  done
done
python3 - "$results" <<'PY'
import glob, json, os, re, statistics, sys
d = sys.argv[1]
def med(pattern, f):
    return statistics.median(f(json.load(open(p))) for p in glob.glob(os.path.join(d, pattern)))
rr = {t: med(f"randread.{t}.*.json", lambda j: j["jobs"][0]["read"]["iops"]) for t in ("nocache", "cache")}
p99 = {t: med(f"randread.{t}.*.json", lambda j: j["jobs"][0]["read"]["clat_ns"]["percentile"]["99.000000"] / 1000)
       for t in ("nocache", "cache")}
sw = {t: med(f"seqwrite.{t}.*.json", lambda j: j["jobs"][0]["write"]["bw_bytes"] / 2**20) for t in ("nocache", "cache")}
hit = statistics.median(float(re.search(r'"cache_hit_ratio": ([0-9.]+)', open(p).read()).group(1))
                        for p in glob.glob(os.path.join(d, "stats.cache.*.json")))
print("| job | metric | no cache | read cache | cache/no cache |")
print("|---|---|---:|---:|---:|")
print(f"| randread 4k after drop_caches | IOPS | {rr['nocache']:.0f} | {rr['cache']:.0f} | {rr['cache']/rr['nocache']:.2f}x |")
print(f"| randread 4k after drop_caches | p99 us | {p99['nocache']:.0f} | {p99['cache']:.0f} | {p99['cache']/p99['nocache']:.2f}x |")
print(f"| streaming write 1 GiB | MiB/s | {sw['nocache']:.0f} | {sw['cache']:.0f} | {sw['cache']/sw['nocache']:.2f}x |")
print(f"\ndaemon cache hit ratio during the random reads (median): {hit:.3f}")
PY
