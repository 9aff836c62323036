#!/usr/bin/env bash
# A stream of compressible text written onto a block device by builds of xdevfs in turn: for each round
# and build, a fresh `xdevfs format` of one loop device (direct I/O, over a sparse file), a mount of
# storage_type = block with the given [local] lines, `dd bs=1M conv=fsync` of the text onto it, the
# unmount. Prints MiB/s per round and build and the medians of each build against the first.
#   bench/block-stream.sh JAR [JAR ...]   e.g. an earlier build (see compare-builds.sh) and fs/target/xdevfs.jar
#   ROUNDS=3 SIZE_MIB=512 BENCH_DIR=/var/tmp/xdevfs-stream LINES="enable_compression = true" ('|' separates)
#   JOB=walappend RUNTIME=6   instead of dd, that fio job (bench/jobs/JOB.fio) with data 60% compressible:
#                             its IOPS (and fdatasync p99) per round and build
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
[ $# -gt 0 ] || { echo "usage: bench/block-stream.sh JAR [JAR ...]" >&2; exit 2; }
work=${BENCH_DIR:-/var/tmp/xdevfs-stream}
rounds=${ROUNDS:-3}
size=${SIZE_MIB:-512}
lines=$(echo "${LINES:-enable_compression = true}" | tr '|' '\n')
mkdir -p "$work/mnt"
loop=""
cleanup() {
  fusermount3 -u "$work/mnt" 2>/dev/null || true
  if [ -n "$loop" ]; then losetup -d "$loop" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${JOB:-}" ]; then
# WAL-like text: about 10x compressible with lz4, every line different.
python3 - "$work/stream.txt" "$size" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2]) << 20
with open(path, 'wb') as out:
    n = written = 0
    while written < size:
        chunk = b''.join(b"LSN %d: INSERT INTO accounts VALUES (%d, %d, 'x');\n" % (i, i % 977, i * 31 % 100003)
                         for i in range(n, n + 10000))
        n += 10000
        chunk = chunk[:size - written]
        out.write(chunk)
        written += len(chunk)
PY
fi
truncate -s $((size * 4))M "$work/device.img"
loop=$(losetup -f --show --direct-io=on "$work/device.img")
echo "device: $loop (direct I/O) over $work; [local] lines: $(echo "$lines" | tr '\n' ';')" >&2
declare -A speeds
for round in $(seq 1 "$rounds"); do
  for jar in "$@"; do
    java -jar "$jar" format --force "$loop" >/dev/null
    printf '[local]\nstorage_type = block\n%s\n[block]\nblock_device = %s\n' "$lines" "$loop" > "$work/xdevfs.ini"
    java -jar "$jar" mount --config "$work/xdevfs.ini" "$work/mnt" >/dev/null
    if [ -n "${JOB:-}" ]; then
      RUNTIME=${RUNTIME:-6} fio --output-format=json --directory="$work/mnt" --buffer_compress_percentage=60 \
        --refill_buffers "$here/jobs/$JOB.fio" > "$work/fio.json"
      read -r speed p99 < <(python3 -c "
import json; j = json.load(open('$work/fio.json'))['jobs'][0]
print(round(j['write']['iops'] + j['read']['iops']),
      round(j.get('sync', {}).get('lat_ns', {}).get('percentile', {}).get('99.000000', 0) / 1000))")
      unit="IOPS, fdatasync p99 $p99 us"
    else
      start=$(date +%s.%N)
      dd if="$work/stream.txt" of="$work/mnt/stream" bs=1M conv=fsync status=none
      end=$(date +%s.%N)
      speed=$(python3 -c "print(round($size / ($end - $start)))")
      unit="MiB/s"
    fi
    fusermount3 -u "$work/mnt"
    # The daemon lets go of the device as it exits, after the unmount: the next format needs it free.
    for _ in $(seq 300); do pgrep -f -- "--config $work/xdevfs.ini" >/dev/null || break; sleep 0.1; done
    speeds[$jar]="${speeds[$jar]:-} $speed"
    echo "round $round: $jar $speed $unit"
  done
done
first=$1
for jar in "$@"; do
  python3 - "$jar" "${speeds[$jar]}" "${speeds[$first]}" <<'PY'
import statistics, sys
jar, mine, base = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ratios = [m / b for m, b in zip(mine, base)]
print(f"{jar}: median {statistics.median(mine):.0f}, against the first build per round "
      + " ".join(f"{r:.2f}" for r in ratios) + f", median {statistics.median(ratios):.2f}x")
PY
done
