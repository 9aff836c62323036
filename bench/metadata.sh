#!/usr/bin/env bash
# Metadata (create, stat, unlink of 5,000 files, one call at a time) on native, bindfs and xdevfs,
# interleaved, all three over one fresh filesystem: a tmpfs by default, so that what is measured is
# the FUSE hop and not the disk's metadata work (this machine's ext4 runs without a journal, where
# each create first walks past every recently deleted inode: native creates 2-3x slower right after
# deletes; docs/benchmarks.md, "Creates").
#   ROUNDS=5 FILES=5000 bench/metadata.sh
#   FS=ext4        an ext4 with a journal on a loop device (mkfs defaults) instead of the tmpfs
#   OLD_JAR=/tmp/old/fs/target/xdevfs.jar   also "xdevfs-old", an earlier build (see bench/compare-builds.sh)
#   OLD_JAVA_OPTS, NEW_JAVA_OPTS   XDEVFS_JAVA_OPTS for "xdevfs-old" and "xdevfs" (OLD_JAR may be this build)
#   BENCH_DIR=/var/tmp/xdevfs-metadata
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-metadata}
xdevfs="$repo/mount-scripts/xdevfs"
results="$here/results/metadata-$(date +%Y%m%d-%H%M%S)"
loop=""
cleanup() {
  for m in "$work"/fs/xdevfs "$work"/fs/xdevfs-old; do "$xdevfs" umount "$m" >/dev/null 2>&1 || true; done
  if findmnt "$work/fs/bindfs" >/dev/null 2>&1; then fusermount3 -u "$work/fs/bindfs" 2>/dev/null || umount -l "$work/fs/bindfs"; fi
  if findmnt "$work/fs" >/dev/null 2>&1; then umount "$work/fs" || umount -l "$work/fs"; fi
  if [ -n "$loop" ]; then losetup -d "$loop" || true; fi
  rm -f "$work/ext4.img"
}
trap cleanup EXIT
cleanup
mkdir -p "$work/fs" "$results"
if [ "${FS:-tmpfs}" = ext4 ]; then
  truncate -s 2G "$work/ext4.img"
  loop=$(losetup --find --show "$work/ext4.img")
  mkfs.ext4 -q "$loop"
  mount "$loop" "$work/fs"
else
  mount -t tmpfs -o size=1G xdevfs-metadata "$work/fs"
fi
mkdir -p "$work/fs"/{native,bindfs-backing,bindfs,xdevfs,xdevfs-base}
bindfs "$work/fs/bindfs-backing" "$work/fs/bindfs"
printf '[local]\nbase_directory = %s\n' "$work/fs/xdevfs-base" > "$work/xdevfs.ini"
XDEVFS_JAVA_OPTS=${NEW_JAVA_OPTS:-${XDEVFS_JAVA_OPTS:-}} "$xdevfs" mount --config "$work/xdevfs.ini" \
    --log-file "$results/xdevfs.log" "$work/fs/xdevfs" >&2
targets=(native="$work/fs/native" bindfs="$work/fs/bindfs" xdevfs="$work/fs/xdevfs")
if [ -n "${OLD_JAR:-}" ]; then
  mkdir -p "$work/fs"/{xdevfs-old,xdevfs-old-base}
  printf '[local]\nbase_directory = %s\n' "$work/fs/xdevfs-old-base" > "$work/xdevfs-old.ini"
  XDEVFS_JAR=$OLD_JAR XDEVFS_JAVA_OPTS=${OLD_JAVA_OPTS:-${XDEVFS_JAVA_OPTS:-}} "$xdevfs" mount --config "$work/xdevfs-old.ini" --log-file "$results/xdevfs-old.log" "$work/fs/xdevfs-old" >&2
  targets+=(xdevfs-old="$work/fs/xdevfs-old")
fi
echo "filesystem under the targets: ${FS:-tmpfs}; $(nproc) cores, kernel $(uname -r)" | tee "$results/machine.txt"
# A first pass, not counted: the daemon's JIT and the kernel's caches warm up.
ROUNDS=1 FILES=2000 python3 "$here/metadata_loop.py" "${targets[@]}" > /dev/null
ROUNDS=${ROUNDS:-5} FILES=${FILES:-5000} python3 "$here/metadata_loop.py" "${targets[@]}" | tee "$results/rounds.jsonl"
python3 - "$results/rounds.jsonl" <<'PY' | tee "$results/summary.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
targets = list(dict.fromkeys(r['target'] for r in rows))
ops = ['create', 'stat', 'unlink']
by = {(r['round'], r['target']): r for r in rows}
rounds = sorted({r['round'] for r in rows})
print('| op | ' + ' | '.join(t + ' files/s' for t in targets) + ' | xdevfs/native per round | xdevfs/bindfs per round' +
      (' | xdevfs/xdevfs-old per round' if 'xdevfs-old' in targets else '') + ' |')
print('|---|' + '---:|' * len(targets) + '---|---|' + ('---|' if 'xdevfs-old' in targets else ''))
for op in ops:
    med = [statistics.median(by[(r, t)][op] for r in rounds) for t in targets]
    def ratio(a, b):
        v = [by[(r, a)][op] / by[(r, b)][op] for r in rounds]
        return '**%.2f** (%s)' % (statistics.median(v), ' '.join('%.2f' % x for x in v))
    cells = [ratio('xdevfs', 'native'), ratio('xdevfs', 'bindfs')] + ([ratio('xdevfs', 'xdevfs-old')] if 'xdevfs-old' in targets else [])
    print('| %s | %s | %s |' % (op, ' | '.join('{:,.0f}'.format(m) for m in med), ' | '.join(cells)))
PY
