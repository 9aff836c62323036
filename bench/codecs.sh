#!/usr/bin/env bash
# Codec benchmarks: JMH (MB/s per codec, 64 KiB frames, checksums included), the chunked format's ratio
# against whole-file compression, and the lz4/zstd command-line tools at the same levels on the same
# files. Inputs: text (generated logs), random, and real PostgreSQL WAL from pgbench (bench/pgbench-wal.sh;
# a synthetic WAL when PostgreSQL is not installed).
# Usage: bench/codecs.sh            results in bench/results/codecs-<time>/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jar=$root/bench/jmh/target/xdevfs-bench.jar
out=$here/results/codecs-$(date +%Y%m%d-%H%M%S)
inputs=$here/results/inputs
mkdir -p "$out" "$inputs"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -pl bench/jmh -am package -DskipTests)
if [ ! -f "$inputs/wal.bin" ] && command -v pgbench >/dev/null && [ "$(id -u)" = 0 ]; then
  "$here/pgbench-wal.sh" "$inputs/wal-full.bin" && head -c 16777216 "$inputs/wal-full.bin" > "$inputs/wal.bin"
  rm -f "$inputs/wal-full.bin"
fi
java -cp "$jar" io.xdevfs.bench.Inputs "$inputs"

echo "== ratios (chunked vs whole file)" | tee "$out/ratios.md"
java -cp "$jar" -Dxdevfs.inputs="$inputs" io.xdevfs.bench.Ratios | tee -a "$out/ratios.md"

echo "== command-line tools on the same files" | tee "$out/cli.txt"
for f in text wal random; do
  for lvl in 1 9; do
    command -v lz4 >/dev/null && lz4 -b$lvl -i3 "$inputs/$f.bin" 2>&1 | tr '\r' '\n' | grep 'MB/s' | tail -1 | sed "s|^|$f lz4 |" | tee -a "$out/cli.txt"
  done
  for lvl in 1 3 9; do
    command -v zstd >/dev/null && zstd -b$lvl -i3 "$inputs/$f.bin" 2>&1 | tr '\r' '\n' | grep 'MB/s' | tail -1 | sed "s|^|$f zstd |" | tee -a "$out/cli.txt"
  done
done

echo "== JMH (chunks/s; x 0.065536 = MB/s)"
java -Dxdevfs.inputs="$inputs" -jar "$jar" CodecBenchmark -rf json -rff "$out/jmh.json" ${JMH_ARGS:-} | tee "$out/jmh.txt"
python3 "$here/summarize_jmh.py" "$out/jmh.json" | tee "$out/jmh.md"
