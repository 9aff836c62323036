#!/usr/bin/env bash
# Installs xdevfs: the jar to $PREFIX/lib/xdevfs, the launcher to $PREFIX/bin/xdevfs, the mount(8)
# helper to $SBINDIR/mount.fuse.xdevfs and the examples to $PREFIX/share/xdevfs.
# Defaults: PREFIX=/usr/local SBINDIR=/sbin. Builds the jar first if needed.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
PREFIX=${PREFIX:-/usr/local}
SBINDIR=${SBINDIR:-/sbin}
"$here/xdevfs" --version >/dev/null   # builds fs/target/xdevfs.jar when missing or stale
install -D -m 0644 "$here/../fs/target/xdevfs.jar" "$PREFIX/lib/xdevfs/xdevfs.jar"
install -D -m 0755 "$here/install-deps.sh" "$PREFIX/lib/xdevfs/install-deps.sh"
install -D -m 0755 "$here/xdevfs" "$PREFIX/lib/xdevfs/xdevfs"
mkdir -p "$PREFIX/bin"
ln -sf "$PREFIX/lib/xdevfs/xdevfs" "$PREFIX/bin/xdevfs"
install -D -m 0755 "$here/mount.fuse.xdevfs" "$SBINDIR/mount.fuse.xdevfs"
# the helper finds the launcher beside it, on PATH, or here:
ln -sf "$PREFIX/lib/xdevfs/xdevfs" "$SBINDIR/xdevfs"
install -D -m 0644 "$here/xdevfs-wal.service" "$PREFIX/share/xdevfs/xdevfs-wal.service"
install -D -m 0644 "$here/wal.ini" "$PREFIX/share/xdevfs/wal.ini"
install -D -m 0644 "$here/fstab.example" "$PREFIX/share/xdevfs/fstab.example"
echo "xdevfs installed: $PREFIX/bin/xdevfs, $SBINDIR/mount.fuse.xdevfs, examples in $PREFIX/share/xdevfs"
