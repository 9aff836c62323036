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
