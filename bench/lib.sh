# Shared by the benchmark scripts (sourced): xdevfs mounts named after their targets under $work.

# Unmounts $work/TARGET for each TARGET that is mounted.
unmount_targets() {
  local t
  for t in "$@"; do
    if findmnt "$work/$t" >/dev/null 2>&1; then fusermount3 -u "$work/$t" 2>/dev/null || umount -l "$work/$t" || true; fi
  done
}

# Mounts xdevfs on $work/NAME over $work/NAME-base with [local] LINES ('|' separates lines); log in LOGDIR.
mount_target() { # NAME LINES LOGDIR
  mkdir -p "$work/$1" "$work/$1-base"
  printf '[local]\nbase_directory = %s\n%s\n' "$work/$1-base" "$(echo "$2" | tr '|' '\n')" > "$work/$1.ini"
  "$repo/mount-scripts/xdevfs" mount --config "$work/$1.ini" --log-file "$3/$1.log" "$work/$1" >&2
}

# The targets, one per line, in the order round ROUND (from 1) runs them: the list rotated by one every
# other round and reversed in every second round, so that over 2 x (number of targets) rounds each target
# runs right after each other one equally often. A job runs slower right after another target's heavy one
# (1 GiB written back, then deleted on a disk mounted with discard); a plain rotation keeps one cyclic
# order, in which xdevfs followed bindfs in two rounds of three and native in none (seqwrite xdevfs/native:
# 0.59-0.66x after bindfs, against 0.95-1.09x like for like, 2026-12-06).
round_order() { # ROUND TARGET...
  local idx=$(($1 - 1))
  shift
  local targets=("$@") n=$# k
  local rot=$(((idx / 2) % n)) order=()
  for ((k = 0; k < n; k++)); do order+=("${targets[$(((k + rot) % n))]}"); done
  if ((idx % 2 == 1)); then
    for ((k = n - 1; k >= 0; k--)); do echo "${order[k]}"; done
  else
    printf '%s\n' "${order[@]}"
  fi
}
