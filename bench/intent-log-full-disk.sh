#!/usr/bin/env bash
# The intent log's disk fills up for a while, then the daemon dies and the tmpfs goes (a reboot):
# storage_type = tmpfs with backups and an intent log on a small ext4 (a loop device), four writers
# appending 8 KiB + fdatasync, each acknowledged size and digest written down; the disk is filled with
# a file at FILL_AT seconds and freed at FREE_AT; at KILL_AT the daemon gets kill -9 and the tmpfs is
# unmounted; after the remount every acknowledged byte must be there. Prints when fsyncs failed, how
# many checkpoint copies failed, and what the remount found. Needs root (loop device, mounts).
#   DISK=400M FILL_AT=2 FREE_AT=4 KILL_AT=9 BENCH_DIR=/var/tmp/xdevfs-logfull bench/intent-log-full-disk.sh
#   HYBRID=1   the same tmpfs as a hybrid's hot tier (lz4-compressed cold tier on the small disk)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(dirname "$here")
work=${BENCH_DIR:-/var/tmp/xdevfs-logfull}
xdevfs="$repo/mount-scripts/xdevfs"
cleanup() {
  "$xdevfs" umount "$work/mnt" >/dev/null 2>&1 || true
  for m in "$work/mnt" "$work/base" "$work/disk"; do
    if findmnt "$m" >/dev/null 2>&1; then umount "$m" 2>/dev/null || umount -l "$m"; fi
  done
  rm -f "$work/disk.img"
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work"/{mnt,base,disk,names}
truncate -s "${DISK:-400M}" "$work/disk.img"
mkfs.ext4 -q -F "$work/disk.img"
mount -o loop "$work/disk.img" "$work/disk"
if [ -n "${HYBRID:-}" ]; then
  printf '[local]\nbase_directory = %s\nstorage_type = hybrid\ncompression_type = lz4\n[hybrid]\nhot_storage_type = tmpfs\nhot_directory = %s\ncold_storage_type = compressed\ncold_directory = %s\ncold_timeout_sec = 3600\n' \
    "$work/names" "$work/base" "$work/disk/cold" > "$work/xdevfs.ini"
else
  printf '[local]\nbase_directory = %s\nstorage_type = tmpfs\n' "$work/base" > "$work/xdevfs.ini"
fi
cat >> "$work/xdevfs.ini" <<INI
[tmpfs]
auto_mount = true
tmpfs_size = 512M
backup_to_disk = true
backup_interval_sec = 2
backup_directory = $work/disk/backup
intent_log_directory = $work/disk/log
intent_log_size = 32M
INI
"$xdevfs" mount --config "$work/xdevfs.ini" --log-file "$work/xdevfs.log" --pid-file "$work/xdevfs.pid" "$work/mnt" >&2
python3 - "$work/mnt" "$work/disk" "$work/ack.json" "${FILL_AT:-2}" "${FREE_AT:-4}" > "$work/writer.out" 2>&1 <<'PY' &
import os, sys, json, hashlib, random, errno, time
mnt, disk, ackpath, fill_at, free_at = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rnd = random.Random(1)
files = [[os.open(f"{mnt}/w{i}", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644), hashlib.sha256(), 0] for i in range(4)]
ack, fails, failed_at = {}, {}, []
t0 = time.time(); filler = None; filled = freed = False; step = 0
while True:
    step += 1
    now = time.time() - t0
    if not filled and now > fill_at:
        filled = True
        filler = os.open(f"{disk}/filler", os.O_CREAT | os.O_WRONLY, 0o644)
        try:
            while True:
                os.write(filler, b'\1' * (1 << 20))
        except OSError:
            pass
        print("disk filled at %.1f s" % (time.time() - t0), flush=True)
    if filled and not freed and now > free_at:
        freed = True
        os.close(filler); os.unlink(f"{disk}/filler")
        print("disk freed at %.1f s" % (time.time() - t0), flush=True)
    i = rnd.randrange(4); f = files[i]
    data = rnd.randbytes(8192)
    try:
        n = os.write(f[0], data)
    except OSError as e:
        if e.errno in (errno.ENOTCONN, errno.ECONNABORTED):
            sys.exit(0) # the daemon was killed
        raise
    f[1].update(data[:n]); f[2] += n
    try:
        os.fdatasync(f[0])
        ack["w%d" % i] = [f[2], f[1].copy().hexdigest()]
    except OSError as e:
        name = errno.errorcode[e.errno]
        fails[name] = fails.get(name, 0) + 1
        failed_at.append(round(time.time() - t0, 1))
    if step % 10 == 0:
        with open(ackpath + ".tmp", "w") as out:
            json.dump({"ack": ack, "fails": fails, "first_fail": failed_at[:1], "last_fail": failed_at[-1:], "steps": step}, out)
        os.replace(ackpath + ".tmp", ackpath)
PY
writer=$!
sleep "${KILL_AT:-9}"
kill -9 "$(cat "$work/xdevfs.pid")"
sleep 0.3
kill -9 "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
cat "$work/writer.out"
failed_copies=$(grep -c 'tmpfs backup to .* failed' "$work/xdevfs.log" || true)
fusermount3 -u "$work/mnt" 2>/dev/null || umount -l "$work/mnt"
umount "$work/base" # the reboot: the memory tier is gone
rm -f "$work/disk/filler"
"$xdevfs" mount --config "$work/xdevfs.ini" --log-file "$work/xdevfs.log" --pid-file "$work/xdevfs.pid" "$work/mnt" >&2
python3 - "$work/mnt" "$work/ack.json" <<'PY'
import sys, json, hashlib
mnt, a = sys.argv[1], json.load(open(sys.argv[2]))
lost = 0
for name, (size, digest) in a["ack"].items():
    got = open(f"{mnt}/{name}", 'rb').read()
    if len(got) < size or hashlib.sha256(got[:size]).hexdigest() != digest:
        lost += 1
        print("LOST: %s acknowledged %d bytes, has %d" % (name, size, len(got)))
print("fdatasyncs: %d, failed: %s (first at %s s, last at %s s); files whose acknowledged bytes are missing after the reboot: %d"
      % (a["steps"], a["fails"] or "none", a["first_fail"] or "-", a["last_fail"] or "-", lost))
PY
echo "checkpoint copies that failed before the kill: $failed_copies"
