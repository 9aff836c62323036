#!/usr/bin/env bash
# SQLite in WAL mode with synchronous=FULL, one insert per transaction (each commit an fsync'd WAL
# append), on each target, rounds in a changing order (lib.sh round_order): "native" (a plain directory on the same disk), "bindfs"
# (a C FUSE passthrough over it), "regular" (the default regular mount) and "regular-slow" (without
# its kernel fast paths: fuse_passthrough = false, fuse_handle_killpriv = false). Prints each
# round's commits per second, the medians and the per-round ratios against native. Needs root,
# python3 (its sqlite3 module) and bindfs.
#
#   TARGETS="native bindfs regular regular-slow" ROUNDS=3 SECONDS_OF_LOAD=10 bench/sqlite-wal.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-sqlite}
rounds=${ROUNDS:-3}
cleanup() {
  for m in "$work"/bindfs "$work"/regular "$work"/regular-slow; do
    if findmnt "$m" >/dev/null 2>&1; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" || true; fi
  done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"/{native,bindfs-backing,bindfs,regular,regular-slow}
printf '[local]\nbase_directory = %s\n' "$work/regular-base" > "$work/regular.ini"
printf '[local]\nbase_directory = %s\nfuse_passthrough = false\nfuse_handle_killpriv = false\n' \
  "$work/regular-slow-base" > "$work/regular-slow.ini"
bindfs "$work/bindfs-backing" "$work/bindfs"
"$repo/mount-scripts/xdevfs" mount --config "$work/regular.ini" --log-file "$work/regular.log" "$work/regular" >&2
"$repo/mount-scripts/xdevfs" mount --config "$work/regular-slow.ini" --log-file "$work/regular-slow.log" \
  "$work/regular-slow" >&2
load() { # DIR: commits per second over SECONDS_OF_LOAD
  python3 - "$1" "${SECONDS_OF_LOAD:-10}" <<'PY'
import os, sqlite3, sys, time
path = os.path.join(sys.argv[1], "bench.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.unlink(path + suffix)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
row = os.urandom(200)
end = time.monotonic() + float(sys.argv[2])
n = 0
start = time.monotonic()
while time.monotonic() < end:
    db.execute("BEGIN")
    db.execute("INSERT INTO t (v) VALUES (?)", (row,))
    db.execute("COMMIT")
    n += 1
print(int(n / (time.monotonic() - start)))
db.close()
PY
}
read -ra targets <<< "${TARGETS:-native bindfs regular regular-slow}"
results=$(mktemp)
for round in $(seq 1 "$rounds"); do
  mapfile -t order < <(round_order "$round" "${targets[@]}")
  for t in "${order[@]}"; do
    cps=$(load "$work/$t")
    echo "round $round $t $cps commits/s" >&2
    echo "$round $t $cps" >> "$results"
  done
done
python3 - "$results" "${targets[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
targets = sys.argv[2:]
by = {t: {int(r[0]): int(r[2]) for r in rows if r[1] == t} for t in targets}
print("| target | commits/s (median) | rounds | / native (per round) |")
print("|---|---:|---|---|")
for t in targets:
    per = " ".join(f"{by[t][r] / by['native'][r]:.2f}" for r in sorted(by[t])) if "native" in by else ""
    print(f"| {t} | {statistics.median(by[t].values()):.0f} | {' '.join(str(by[t][r]) for r in sorted(by[t]))} | {per} |")
PY
