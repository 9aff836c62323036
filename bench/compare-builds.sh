#!/usr/bin/env bash
# Two builds of xdevfs against each other and a native directory, interleaved: for each round and job,
# the earlier build, this checkout's and native run back to back (the order changing every round: bench/lib.sh round_order), each
# on its own regular mount over the same disk. For changes on the request path, whose cost is smaller
# than the noise between separate runs.
#   bench/compare-builds.sh OLD.jar [JOB ...]   default jobs: randwrite4k walappend
#   ROUNDS=5 RUNTIME=8 BENCH_DIR=/var/tmp/xdevfs-builds
#   LINES="storage_type = tmpfs|[tmpfs]|auto_mount = true|backup_to_disk = true|backup_directory = @DIR@/backup|intent_log_directory = @DIR@/intent-log"
#          more configuration lines for both mounts ('|' separates; @DIR@ is each build's own directory)
#   MOUNT_ARGS="--dispatch multi"   more `xdevfs mount` arguments for both mounts
#   OLD_JAVA_OPTS, NEW_JAVA_OPTS: XDEVFS_JAVA_OPTS for one mount each (e.g. the same jar twice, two JVM
#          settings: bench/compare-builds.sh fs/target/xdevfs.jar with NEW_JAVA_OPTS=-XX:+UseSerialGC)
# Make OLD.jar from an earlier commit: git worktree add /tmp/old REV && (cd /tmp/old &&
#   mvn -q -B -DskipTests -pl fs -am package) -> /tmp/old/fs/target/xdevfs.jar
# Prints IOPS and fdatasync p99 per round, then the medians of new/old per job. TAIL=1 adds each target's
# fdatasync p99.9 and max and its longest write (what a writer waits behind a checkpoint, say).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")
old_jar=${1:?usage: bench/compare-builds.sh OLD.jar [JOB ...]}
shift
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(randwrite4k walappend)
work=${BENCH_DIR:-/var/tmp/xdevfs-builds}
rounds=${ROUNDS:-5}
export RUNTIME=${RUNTIME:-8}
xdevfs="$repo/mount-scripts/xdevfs"

cleanup() {
  for t in old new; do "$xdevfs" umount "$work/$t/mnt" >/dev/null 2>&1 || true; done
  { findmnt -rn -o TARGET | grep "^$work/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work/old/mnt" "$work/new/mnt" "$work/native" "$work/results"
for t in old new; do
  printf '[local]\nbase_directory = %s\n%s\n' "$work/$t/base" "$(echo "${LINES:-}" | tr '|' '\n' | sed "s|@DIR@|$work/$t|g")" \
    > "$work/$t/xdevfs.ini"
done
XDEVFS_JAR=$old_jar XDEVFS_JAVA_OPTS=${OLD_JAVA_OPTS:-${XDEVFS_JAVA_OPTS:-}} "$xdevfs" mount \
    --config "$work/old/xdevfs.ini" --log-file "$work/old/log" --pid-file "$work/old/pid" ${MOUNT_ARGS:-} "$work/old/mnt" >/dev/null
XDEVFS_JAVA_OPTS=${NEW_JAVA_OPTS:-${XDEVFS_JAVA_OPTS:-}} "$xdevfs" mount --config "$work/new/xdevfs.ini" --log-file "$work/new/log" --pid-file "$work/new/pid" \
    ${MOUNT_ARGS:-} "$work/new/mnt" >/dev/null

targets=(old new native)
for ((r = 1; r <= rounds; r++)); do
  for job in "${jobs[@]}"; do
    mapfile -t order < <(round_order "$r" "${targets[@]}")
    for t in "${order[@]}"; do
      dir=$work/$t/mnt
      [ "$t" = native ] && dir=$work/native
      fio --output-format=json --directory="$dir" "$here/jobs/$job.fio" > "$work/results/$job.$t.$r.json"
      rm -f "$dir"/*
    done
  done
done

python3 - "$work/results" "$rounds" "${jobs[@]}" <<'PY'
import json, os, statistics, sys
results, rounds, jobs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def figures(job, target, r):
    j = json.load(open(f"{results}/{job}.{target}.{r}.json"))["jobs"][0]
    p99 = j.get("sync", {}).get("lat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1000
    return j["write"]["iops"] + j["read"]["iops"], p99
def tail(job, target, r):
    """fdatasync p99.9 and max, write max (µs): what a writer waits when something holds it."""
    j = json.load(open(f"{results}/{job}.{target}.{r}.json"))["jobs"][0]
    sync = j.get("sync", {}).get("lat_ns", {})
    return (sync.get("percentile", {}).get("99.900000", 0) / 1000, sync.get("max", 0) / 1000,
            j["write"]["clat_ns"]["max"] / 1000)
for job in jobs:
    iops_ratio, p99_ratio = [], []
    for r in range(1, rounds + 1):
        (o, op99), (n, np99), (nat, natp99) = (figures(job, t, r) for t in ("old", "new", "native"))
        print(f"{job:12} round {r}: IOPS old {o:9.0f} new {n:9.0f} native {nat:9.0f}   "
              f"new/old {n / o:5.2f}" + (f"   fdatasync p99 old {op99:6.0f} new {np99:6.0f} us" if op99 else ""))
        if op99 and os.environ.get("TAIL"):
            for t in ("old", "new", "native"):
                p999, smax, wmax = tail(job, t, r)
                print(f"{'':12}   {t:6} fdatasync p99.9 {p999:8.0f} max {smax:8.0f} us, write max {wmax:8.0f} us")
        iops_ratio.append(n / o)
        if op99:
            p99_ratio.append(np99 / op99)
    line = f"{job:12} median new/old IOPS {statistics.median(iops_ratio):.2f}x"
    if p99_ratio:
        line += f", fdatasync p99 {statistics.median(p99_ratio):.2f}x"
    print(line)
PY
