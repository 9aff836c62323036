#!/usr/bin/env bash
# Benchmarks xdevfs against a native directory and bindfs (a C FUSE passthrough) on the same disk,
# interleaved in one run: for every job and round, native, bindfs and xdevfs run back to back, the
# order changing every round so that each target follows each other one equally often (lib.sh round_order).
# Prints absolute medians and the ratios xdevfs/native and xdevfs/bindfs; raw fio JSON stays in
# bench/results/. Needs root, fio and bindfs (mount-scripts/install-deps.sh test installs them).
#
#   bench/run.sh [JOB ...]        jobs are bench/jobs/NAME.fio; default: the general ones (jobs=... below);
#                                 seqread-direct, seqread-uncached and the sparse type's zero writers run by name
#   ROUNDS=3 RUNTIME=10           rounds per job and seconds per time-based job
#   BENCH_DIR=/var/tmp/xdevfs-bench   where the three targets live (one filesystem)
#   XDEVFS_MOUNT_ARGS="..."       extra arguments for xdevfs mount (e.g. --dispatch multi)
#   COMPARE_DISPATCH=1            also run "xdevfs-mt", a second xdevfs mount with --dispatch multi
#   COMPARE_TYPES="compressed sparse"  also run "xdevfs-TYPE" mounts with storage_type = TYPE
#   COMPRESSED_LINES="compression_type = zstd"  extra [local] lines for xdevfs-compressed ('|' separates)
#   VARIANTS="nometrics=[monitoring]|enable_metrics = false;cache=enable_read_cache = true"
#                                 also run "xdevfs-NAME" mounts with these config lines ('|' separates lines;
#                                 a part "-o OPTS" is a FUSE option of that mount, e.g. "128k=-o max_write=131072";
#                                 a part "--dispatch multi" that mount's dispatch)
#   RATIOS="xdevfs-sparsenopc/xdevfs-nopc"  also print these ratios between two targets (space separated)
#   FIO_EXTRA="--buffer_compress_percentage=60 --refill_buffers"  extra fio options for every target
#   BLOCK_DEVICE=/dev/loopN       also run "xdevfs-block", storage_type = block on that device (formatted
#                                 with --force: everything on it is lost); bench/block.sh sets it up
#   BLOCK_LINES="enable_trim = false"  extra [block] lines for xdevfs-block ('|' separates)
#   BLOCK_LOCAL_LINES="enable_compression = true"  extra [local] lines for xdevfs-block ('|' separates): how
#                                 its files are stored on the device
#   TMPFS_ANCHORS=1               also run "native-tmpfs" and "bindfs-tmpfs" (bindfs over it) on a tmpfs,
#                                 the anchors of storage_type = tmpfs (whose base is a tmpfs it mounts)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-bench}
export RUNTIME=${RUNTIME:-10}
rounds=${ROUNDS:-3}
results="$here/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(seqwrite seqread randwrite4k randread4k randread4k-direct walappend randwrite4k-4jobs metadata)

targets=(native bindfs xdevfs)
if [ "${TMPFS_ANCHORS:-0}" = 1 ]; then targets+=(native-tmpfs bindfs-tmpfs); fi
if [ "${COMPARE_DISPATCH:-0}" = 1 ]; then targets+=(xdevfs-mt); fi
for type in ${COMPARE_TYPES:-}; do targets+=("xdevfs-$type"); done
if [ -n "${BLOCK_DEVICE:-}" ]; then targets+=(xdevfs-block); fi
IFS=';' read -ra variants <<< "${VARIANTS:-}"
for v in "${variants[@]}"; do targets+=("xdevfs-${v%%=*}"); done

cleanup() {
  for m in "$work"/bindfs "$work"/bindfs-tmpfs "$work"/xdevfs*; do
    if findmnt "$m" >/dev/null 2>&1; then fusermount3 -u "$m" 2>/dev/null || umount -l "$m" || true; fi
  done
  # tmpfs mounts: the anchors, and those xdevfs's auto_mount leaves up (storage_type = tmpfs, variants)
  { findmnt -rn -o TARGET | grep "^$work/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"/{native,bindfs-backing,bindfs}
bindfs "$work/bindfs-backing" "$work/bindfs"
if [ "${TMPFS_ANCHORS:-0}" = 1 ]; then
  mkdir -p "$work"/{native-tmpfs,bindfs-tmpfs-backing,bindfs-tmpfs}
  mount -t tmpfs -o size=4G xdevfs-bench "$work/native-tmpfs"
  mount -t tmpfs -o size=4G xdevfs-bench "$work/bindfs-tmpfs-backing"
  bindfs "$work/bindfs-tmpfs-backing" "$work/bindfs-tmpfs"
fi
mount_xdevfs() { # NAME [local]-LINES EXTRA-ARGS...
  local name=$1 lines=$2; shift 2
  mkdir -p "$work/$name-base" "$work/$name"
  printf '[local]\nbase_directory = %s\n%s' "$work/$name-base" "$lines" > "$work/$name.ini"
  "$repo/mount-scripts/xdevfs" mount --config "$work/$name.ini" --log-file "$results/$name.log" "$@" "$work/$name" >&2
}
# shellcheck disable=SC2086
mount_xdevfs xdevfs "" ${XDEVFS_MOUNT_ARGS:-}
if [ "${COMPARE_DISPATCH:-0}" = 1 ]; then mount_xdevfs xdevfs-mt "" --dispatch multi; fi
for type in ${COMPARE_TYPES:-}; do
  lines="storage_type = $type"$'\n'
  if [ "$type" = compressed ] && [ -n "${COMPRESSED_LINES:-}" ]; then lines+="$(echo "$COMPRESSED_LINES" | tr '|' '\n')"$'\n'; fi
  if [ "$type" = tmpfs ]; then lines+="[tmpfs]"$'\n'"auto_mount = true"$'\n'"tmpfs_size = 4G"$'\n'; fi
  # shellcheck disable=SC2086
  mount_xdevfs "xdevfs-$type" "$lines" ${XDEVFS_MOUNT_ARGS:-}
done
if [ -n "${BLOCK_DEVICE:-}" ]; then
  "$repo/mount-scripts/xdevfs" format --force "$BLOCK_DEVICE" >&2
  mkdir -p "$work/xdevfs-block"
  printf '[local]\nstorage_type = block\n%s\n[block]\nblock_device = %s\n%s\n' \
    "$(echo "${BLOCK_LOCAL_LINES:-}" | tr '|' '\n')" "$BLOCK_DEVICE" \
    "$(echo "${BLOCK_LINES:-}" | tr '|' '\n')" > "$work/xdevfs-block.ini"
  # shellcheck disable=SC2086
  "$repo/mount-scripts/xdevfs" mount --config "$work/xdevfs-block.ini" --log-file "$results/xdevfs-block.log" \
    ${XDEVFS_MOUNT_ARGS:-} "$work/xdevfs-block" >&2
fi
for v in "${variants[@]}"; do # parts "-o OPTIONS" and "--dispatch MODE" are mount arguments, every other part a config line
  lines="" args=()
  IFS='|' read -ra parts <<< "${v#*=}"
  for part in "${parts[@]}"; do
    case "$part" in
      -o\ *) args+=(-o "${part#-o }") ;;
      --dispatch\ *) args+=(--dispatch "${part#--dispatch }") ;;
      *) lines+="$part"$'\n' ;;
    esac
  done
  # shellcheck disable=SC2086
  mount_xdevfs "xdevfs-${v%%=*}" "$lines" ${XDEVFS_MOUNT_ARGS:-} "${args[@]}"
done

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "disk: $(findmnt -n -o SOURCE,FSTYPE --target "$work")"
  echo "fio: $(fio --version), bindfs: $(bindfs --version 2>&1 | head -1), xdevfs mount args: ${XDEVFS_MOUNT_ARGS:-(defaults)}"
  echo "rounds: $rounds, runtime: ${RUNTIME}s per time-based job, fio extra: ${FIO_EXTRA:-(none)}"
  for type in ${COMPARE_TYPES:-}; do echo "xdevfs-$type: $(tr '\n' ';' < "$work/xdevfs-$type.ini")"; done
  if [ -n "${BLOCK_DEVICE:-}" ]; then echo "xdevfs-block: $(tr '\n' ';' < "$work/xdevfs-block.ini")"; fi
  for v in "${variants[@]}"; do echo "xdevfs-${v%%=*}: $(tr '\n' ';' < "$work/xdevfs-${v%%=*}.ini") (variant: ${v#*=})"; done
} | tee "$results/machine.txt" >&2

for job in "${jobs[@]}"; do
  for round in $(seq 1 "$rounds"); do
    # A target that follows a 1 GiB write (still being written back, then deleted) runs slower: the order
    # changes every round so that each target follows each other one equally often (round_order).
    mapfile -t order < <(round_order "$round" "${targets[@]}")
    for target in "${order[@]}"; do
      dir="$work/$target"
      rm -rf "${dir:?}"/*
      case "$job" in
        *read*) # lay the file out and read it whole, so every target reads from a warm cache: 2 s of the
          # job itself may not cover the file where reads are slow (the direct type reads the disk)
          # shellcheck disable=SC2086
          fio --directory="$dir" --output-format=terse --runtime=2 --time_based=1 ${FIO_EXTRA:-} "$here/jobs/$job.fio" >/dev/null
          cat "$dir"/* >/dev/null ;;
      esac
      echo "$job round $round: $target" >&2
      # shellcheck disable=SC2086
      fio --directory="$dir" --output-format=json --output="$results/$job.$target.$round.json" ${FIO_EXTRA:-} \
        "$here/jobs/$job.fio"
      if [ "$target" != native ] && [ "$target" != bindfs ]; then # what the data occupies, before it goes
        echo "$job $target round $round: du $(du -sB1 "$dir" | cut -f1) apparent $(du -sB1 --apparent-size "$dir" | cut -f1)" >> "$results/du.txt"
      fi
      rm -rf "${dir:?}"/*
    done
  done
done
python3 "$here/summarize.py" "$results" | tee "$results/summary.md"
