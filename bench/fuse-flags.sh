#!/usr/bin/env bash
# The FUSE_INIT flags behind fuse_cache_symlinks, fuse_parallel_dirops and fuse_async_dio, each on
# (the default mount) and off (a mount with only that key false), rounds rotated. Three small loads:
#   readlink   readlink(2) of one symlink, SECONDS_OF_LOAD long (FUSE_CACHE_SYMLINKS keeps the target)
#   lookup     4 processes stat(2) distinct missing names of one directory (negative lookups are never
#              cached, so each is a LOOKUP; FUSE_PARALLEL_DIROPS lets the kernel send them at once)
#   directrd   4 KiB O_DIRECT reads of a 64 MiB file at random offsets, fuse_passthrough = false on
#              both mounts (passed-through files never reach the daemon; FUSE_ASYNC_DIO)
#   aiord      the same with fio, libaio and 16 reads in flight (FUSE_ASYNC_DIO lets them overlap)
# Prints operations per second per round and the medians. Needs root and python3.
#
#   ROUNDS=3 SECONDS_OF_LOAD=4 bench/fuse-flags.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-flags}
rounds=${ROUNDS:-3}
secs=${SECONDS_OF_LOAD:-4}
targets=(default nosymlinks nodirops dio noasyncdio)
declare -A lines=(
  [default]=""
  [nosymlinks]="fuse_cache_symlinks = false"
  [nodirops]="fuse_parallel_dirops = false"
  [dio]="fuse_passthrough = false"
  [noasyncdio]="fuse_passthrough = false|fuse_async_dio = false"
)
declare -A load=([default]="readlink lookup" [nosymlinks]="readlink" [nodirops]="lookup" [dio]="directrd aiord"
  [noasyncdio]="directrd aiord")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
cleanup() { unmount_targets "${targets[@]}"; }
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"
for t in "${targets[@]}"; do mount_target "$t" "${lines[$t]}" "$work"; done
run() { # LOAD DIR: operations per second
  if [ "$1" = aiord ]; then
    [ -f "$2/data" ] || run directrd "$2" >/dev/null
    fio --name=aiord --filename="$2/data" --bs=4k --rw=randread --direct=1 --ioengine=libaio --iodepth=16 \
      --runtime="$secs" --time_based=1 --output-format=json \
      | python3 -c 'import json, sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))'
    return
  fi
  python3 - "$1" "$2" "$secs" <<'PY'
import os, random, sys, time
what, d, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
def timed(step):
    n, end = 0, time.monotonic() + secs
    start = time.monotonic()
    while time.monotonic() < end:
        for _ in range(100):
            step(n)
            n += 1
    return n / (time.monotonic() - start)
if what == "readlink":
    if not os.path.islink(d + "/ln"):
        os.symlink("target-of-the-link", d + "/ln")
    print(round(timed(lambda n: os.readlink(d + "/ln"))))
elif what == "lookup":
    os.makedirs(d + "/dir", exist_ok=True)
    r, w = os.pipe()
    kids = []
    for k in range(4):
        pid = os.fork()
        if pid == 0:
            def miss(n):
                try:
                    os.stat(f"{d}/dir/missing-{k}-{n}")
                except FileNotFoundError:
                    pass
            os.write(w, f"{timed(miss)}\n".encode())
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    os.close(w)
    print(round(sum(float(x) for x in os.read(r, 4096).split())))
else:
    p = d + "/data"
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(os.urandom(64 << 20))
    fd = os.open(p, os.O_RDONLY | os.O_DIRECT)
    import mmap
    buf = mmap.mmap(-1, 4096)
    blocks = (64 << 20) // 4096
    print(round(timed(lambda n: os.preadv(fd, [buf], random.randrange(blocks) * 4096))))
    os.close(fd)
PY
}
declare -A results
for round in $(seq 1 "$rounds"); do
  first=$(( (round - 1) % ${#targets[@]} ))
  for t in "${targets[@]:first}" "${targets[@]:0:first}"; do
    for l in ${load[$t]}; do
      v=$(run "$l" "$work/$t")
      echo "round $round: $t $l $v ops/s" >&2
      results[$t.$l]+="$v "
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| load | flag on (ops/s, rounds) | flag off (ops/s, rounds) | on/off |"
echo "|---|---|---|---:|"
for pair in "readlink default nosymlinks" "lookup default nodirops" "directrd dio noasyncdio" "aiord dio noasyncdio"; do
  read -r l on off <<< "$pair"
  a=$(echo "${results[$on.$l]}" | median) b=$(echo "${results[$off.$l]}" | median)
  echo "| $l | $a (${results[$on.$l]% }) | $b (${results[$off.$l]% }) | $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a/b}') |"
done
