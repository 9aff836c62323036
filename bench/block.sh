#!/usr/bin/env bash
# storage_type = block against ext4 on equal devices of the same disk (issue 20's comparison): two loop
# devices of DEVICE_SIZE over sparse files in one directory; ext4 on the first holds "native", "bindfs"
# and "xdevfs" (the regular type over that ext4), the second is formatted for "xdevfs-block". run.sh
# interleaves them; the summary adds xdevfs-block/xdevfs (block vs regular over ext4) and
# xdevfs-block/native.
#
#   bench/block.sh [JOB ...]   default: walappend seqwrite randwrite4k seqread metadata
#   ROUNDS=3 RUNTIME=10 DEVICE_SIZE=16G BLOCK_BENCH_DIR=/var/tmp/xdevfs-block-bench
#   LOOP_DIRECT_IO=off     the loop devices read and write their image through the host's page cache; by
#                          default (on) they use O_DIRECT (losetup --direct-io), as a real device has no page
#                          cache under it and no worker thread copying each write into one
#   EXT4_OPTIONS=discard   mount options of the ext4 (e.g. discard, to match the block type's enable_trim)
#   (the metadata job makes 10,000 files of 4 KiB: on the block type each takes a 1 MiB unit, 10 GiB)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
dir=${BLOCK_BENCH_DIR:-/var/tmp/xdevfs-block-bench}
size=${DEVICE_SIZE:-16G}
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(walappend seqwrite randwrite4k seqread metadata)
ext4_loop="" block_loop=""
cleanup() {
  if findmnt "$dir/ext4" >/dev/null 2>&1; then umount "$dir/ext4" || umount -l "$dir/ext4" || true; fi
  for l in "$ext4_loop" "$block_loop"; do if [ -n "$l" ]; then losetup -d "$l" || true; fi; done
  rm -f "$dir/ext4.img" "$dir/block.img"
}
trap cleanup EXIT
mkdir -p "$dir/ext4"
rm -f "$dir/ext4.img" "$dir/block.img"
truncate -s "$size" "$dir/ext4.img" "$dir/block.img"
direct=${LOOP_DIRECT_IO:-on}
ext4_loop=$(losetup -f --show --direct-io="$direct" "$dir/ext4.img")
block_loop=$(losetup -f --show --direct-io="$direct" "$dir/block.img")
mkfs.ext4 -q "$ext4_loop"
mount ${EXT4_OPTIONS:+-o "$EXT4_OPTIONS"} "$ext4_loop" "$dir/ext4"
echo "devices: ext4 on $ext4_loop (options: ${EXT4_OPTIONS:-defaults}), xdevfs-block on $block_loop, each $size" \
  "over a sparse file in $dir, loop direct I/O $direct" >&2
BENCH_DIR="$dir/ext4/bench" BLOCK_DEVICE="$block_loop" RATIOS="xdevfs-block/native ${RATIOS:-}" \
  "$here/run.sh" "${jobs[@]}"
