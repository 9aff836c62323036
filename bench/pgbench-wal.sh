#!/usr/bin/env bash
# Writes real PostgreSQL WAL to $1 (default bench/results/inputs/wal.bin): a throwaway cluster, a pgbench
# load, then the filled segments concatenated. Needs initdb/pg_ctl/pgbench; runs the server as 'nobody'.
set -euo pipefail
out=${1:-$(dirname "$0")/results/inputs/wal.bin}
segments=${SEGMENTS:-2}
for tool in initdb pg_ctl pgbench; do
  command -v "$tool" >/dev/null || { echo "pgbench-wal.sh: $tool not found" >&2; exit 2; }
done
work=$(mktemp -d /tmp/xdevfs-pg.XXXXXX)
chown nobody "$work"
as_nobody() { runuser -u nobody -- "$@"; }
cleanup() { as_nobody pg_ctl -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
as_nobody initdb -D "$work/pg" -A trust >/dev/null
as_nobody pg_ctl -D "$work/pg" -l "$work/log" -w \
  -o "-k $work -c listen_addresses= -c wal_compression=off -c full_page_writes=on" start >/dev/null
as_nobody pgbench -h "$work" -i -s 4 postgres >/dev/null 2>&1
as_nobody pgbench -h "$work" -c 2 -T "${SECONDS_OF_LOAD:-15}" postgres >/dev/null 2>&1
as_nobody psql -h "$work" -qAt -c "select pg_switch_wal()" postgres >/dev/null
mkdir -p "$(dirname "$out")"
# The newest full segments: the pgbench transactions, not the initial load.
ls -1 "$work/pg/pg_wal" | grep -E '^[0-9A-F]{24}$' | sort | tail -n $((segments + 1)) | head -n "$segments" \
  | sed "s|^|$work/pg/pg_wal/|" | xargs cat > "$out"
echo "$out: $(stat -c %s "$out") bytes of WAL from pgbench"
