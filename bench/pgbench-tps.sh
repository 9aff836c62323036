#!/usr/bin/env bash
# pgbench TPS with pg_wal on each target, rounds in a changing order (lib.sh round_order): "native" (a plain directory on the same
# disk), "regular" (storage_type = regular), "hybrid" (a regular hot tier and a zstd-compressed cold
# tier, segments going cold COLD_TIMEOUT seconds after their last write, so migration runs under the
# load) and "tmpfslog" (storage_type = tmpfs with backups and an intent log on the same disk: durable
# fsync). The data directory is on the local disk, only pg_wal is on the target. Prints each round's
# TPS, the medians and the per-round ratios against the first target. Needs root and PostgreSQL
# (initdb, pg_ctl, pgbench); the server runs as nobody. "regular-slow" is the regular type without its
# kernel fast paths (fuse_passthrough = false, fuse_handle_killpriv = false): every write a request.
# "regular-nosync" is the regular type with every fsync on the request thread (fuse_sync_threads = 0).
# "hybrid-nopt" is the hybrid with fuse_passthrough = false (its hot writers' writes through the daemon).
#
#   TARGETS="regular hybrid" ROUNDS=3 SECONDS_OF_LOAD=30 SCALE=10 CLIENTS=4 COLD_TIMEOUT=5 bench/pgbench-tps.sh
#   COLD_ROOT=/mnt/other-disk   the hybrid's cold tier there (default: BENCH_DIR, the hot tier's disk)
#   OLD_JAR=/tmp/old/fs/target/xdevfs.jar   a target named T-old (e.g. "tmpfslog-old") is T on that build
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-pgbench}
cold_root=${COLD_ROOT:-$work} # where the hybrid's cold tier goes: another device than BENCH_DIR's, or the same disk
rounds=${ROUNDS:-3}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort | tail -1)
export PATH="$pgbin:$PATH"
for tool in initdb pg_ctl pgbench; do
  command -v "$tool" >/dev/null || { echo "pgbench-tps.sh: $tool not found" >&2; exit 2; }
done
as_nobody() { runuser -u nobody -- "$@"; }
cleanup() {
  as_nobody pg_ctl -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  for m in "$work"/regular "$work"/regular-slow "$work"/regular-nosync "$work"/hybrid "$work"/hybrid-nopt "$work"/tmpfslog "$work"/tmpfslog-old; do
    if findmnt "$m" >/dev/null 2>&1; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" || true; fi
  done
  { findmnt -rn -o TARGET | grep "^$work/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"/{native,regular,regular-slow,regular-nosync,hybrid,hybrid-nopt,tmpfslog}
chown nobody "$work"
printf '[local]\nbase_directory = %s\n' "$work/regular-base" > "$work/regular.ini"
printf '[local]\nbase_directory = %s\nfuse_passthrough = false\nfuse_handle_killpriv = false\n' \
  "$work/regular-slow-base" > "$work/regular-slow.ini"
printf '[local]\nbase_directory = %s\nfuse_sync_threads = 0\n' "$work/regular-nosync-base" > "$work/regular-nosync.ini"
cat > "$work/hybrid.ini" <<INI
[local]
base_directory = $work/hybrid-base
storage_type = hybrid
compression_type = zstd
[hybrid]
hot_storage_type = regular
hot_directory = $work/hybrid-hot
cold_storage_type = compressed
cold_directory = $cold_root/hybrid-cold
cold_timeout_sec = ${COLD_TIMEOUT:-5}
migration_interval_sec = 1
INI
sed "s#$work/hybrid-#$work/hybrid-nopt-#; s#$cold_root/hybrid-cold#$cold_root/hybrid-nopt-cold#; s#^storage_type = hybrid#&\nfuse_passthrough = false#" \
  "$work/hybrid.ini" > "$work/hybrid-nopt.ini"
cat > "$work/tmpfslog.ini" <<INI
[local]
base_directory = $work/tmpfslog-base
storage_type = tmpfs
[tmpfs]
auto_mount = true
tmpfs_size = 2G
backup_to_disk = true
backup_directory = $work/tmpfslog-backup
intent_log_directory = $work/tmpfslog-log
INI
read -ra targets <<< "${TARGETS:-regular hybrid}"
for t in "${targets[@]}"; do # T-old: T's configuration, its own directories, on OLD_JAR's build
  if [[ $t == *-old ]]; then
    sed "s#$work/${t%-old}-#$work/$t-#g" "$work/${t%-old}.ini" > "$work/$t.ini"
    mkdir -p "$work/$t"
  fi
done
jar_of() { if [[ $1 == *-old ]]; then echo "${OLD_JAR:?T-old targets need OLD_JAR}"; else echo "${XDEVFS_JAR:-}"; fi; }
results=$(mktemp)
for round in $(seq 1 "$rounds"); do
  mapfile -t order < <(round_order "$round" "${targets[@]}")
  for t in "${order[@]}"; do
    if [ "$t" != native ]; then
      XDEVFS_JAR=$(jar_of "$t") "$repo/mount-scripts/xdevfs" mount --config "$work/$t.ini" --log-file "$work/$t.log" "$work/$t" >&2
    fi
    install -d -o nobody "$work/$t/pg_wal"
    rm -rf "$work/data"
    as_nobody initdb -D "$work/data" --waldir="$work/$t/pg_wal" -A trust >/dev/null
    as_nobody pg_ctl -D "$work/data" -l "$work/pg.log" -w \
      -o "-k $work -c listen_addresses= -c fsync=on -c synchronous_commit=on" start >/dev/null
    as_nobody pgbench -h "$work" -i -s "${SCALE:-10}" postgres >/dev/null 2>&1
    tps=$(as_nobody pgbench -h "$work" -c "${CLIENTS:-4}" -T "${SECONDS_OF_LOAD:-30}" postgres 2>/dev/null \
      | awk '/^tps/ {print int($3); exit}')
    moves=$(getfattr --absolute-names --only-values -n user.xdevfs.stats.text "$work/$t" 2>/dev/null \
      | awk '/hybrid_moves_to_(cold|hot)_total/ {s += $2} /hybrid_moves_to_hot_total/ {h = $2}
             END {print s + 0 " (to hot " h + 0 ")"}' || true)
    as_nobody pg_ctl -D "$work/data" -m fast stop >/dev/null
    if [ "$t" != native ]; then fusermount3 -u "$work/$t"; fi
    { findmnt -rn -o TARGET | grep "^$work/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
    rm -rf "$work/$t-base" "$work/hybrid-hot" "$cold_root/hybrid-cold" "$work/hybrid-nopt-hot" "$cold_root/hybrid-nopt-cold" "$work/tmpfslog-backup" "$work/tmpfslog-log" "$work/tmpfslog-old-backup" "$work/tmpfslog-old-log" "$work/native/pg_wal"
    echo "round $round $t tps $tps moves $moves" | tee -a "$results"
  done
done
python3 - "$results" "${targets[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
targets = sys.argv[2:]
tps = {t: [int(r[4]) for r in rows if r[2] == t] for t in targets}
for t, v in tps.items():
    print('%-8s median TPS %d (rounds %s)' % (t, statistics.median(v), v))
base = targets[0]
for t in targets[1:]:
    print('%s/%s per round: %s' % (t, base, ' '.join('%.2f' % (x / b) for b, x in zip(tps[base], tps[t]))))
PY
