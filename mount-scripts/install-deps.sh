#!/usr/bin/env bash
# Installs the system packages xdevfs needs, if they are missing.
#   install-deps.sh runtime   libfuse2 (libfuse2t64 on Debian 13) and fuse3 (fusermount3, mount.fuse3)
#   install-deps.sh build     a JDK and Maven, to build the jar from a checkout
#   install-deps.sh test      runtime + a JDK and Maven, fio, bindfs, python3, attr, sqlite3, stress-ng, procps, losetup and
#                             mkfs.ext4 (loop devices for the block type) for the tests
# As root it installs with apt-get; otherwise it prints one line naming what is missing and exits 1.
# Never installs Debian's "fuse" package: it would remove fuse3.
set -euo pipefail
what=${1:-runtime}

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || ls /lib/*/"$1" /usr/lib/*/"$1" >/dev/null 2>&1; }
if [ "$what" != build ]; then
  have_lib libfuse.so.2 || missing+=(libfuse2)
  command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
fi
if [ "$what" = build ]; then
  command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
fi
if [ "$what" = test ]; then
  command -v fio >/dev/null 2>&1 || missing+=(fio)
  command -v bindfs >/dev/null 2>&1 || missing+=(bindfs)
  [ -x /usr/bin/python3 ] || missing+=(python3)
  command -v setfattr >/dev/null 2>&1 || missing+=(attr)
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
  command -v stress-ng >/dev/null 2>&1 || missing+=(stress-ng)
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  command -v pgrep >/dev/null 2>&1 || missing+=(procps)
  command -v losetup >/dev/null 2>&1 || missing+=(mount) # loop devices for storage_type = block
  command -v wipefs >/dev/null 2>&1 || missing+=(util-linux)
  command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs) # a foreign signature format must refuse
  command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "xdevfs: missing system packages: ${missing[*]} (install them, e.g. as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# One line per step; apt's and debconf's chatter only when a step fails.
log=$(mktemp -t xdevfs-deps.XXXXXX)
step() {
  if ! "$@" >>"$log" 2>&1; then
    echo "xdevfs: '$*' failed; its output (all of it in $log):" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}
echo "xdevfs: updating the package lists (apt-get update)" >&2
step apt-get update -qq
packages=()
for p in "${missing[@]}"; do
  if [ "$p" = libfuse2 ] && ! apt-cache show libfuse2 >/dev/null 2>&1; then
    packages+=(libfuse2t64)   # Debian 13 renamed it
  else
    packages+=("$p")
  fi
done
echo "xdevfs: installing ${packages[*]}" >&2
step apt-get install -y -qq --no-install-recommends "${packages[@]}"
rm -f "$log"
