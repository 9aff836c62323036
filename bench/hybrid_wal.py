#!/usr/bin/env python3
"""A WAL stream on one mount: SEGMENT-byte segments written in 8 KiB appends, each followed by
fdatasync; a segment is closed when full and deleted KEEP segments later (as PostgreSQL removes old
WAL). Prints one JSON line: appends/s, fdatasync latency percentiles, and what the mount's stats say
(peak hot-tier usage while writing, for a hybrid mount). With RATE in the environment, at most that
many appends a second (a WAL at a given rate: the same moves in the same time on every target)."""
import json, os, sys, threading, time

mnt, stream, keep, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rate = float(os.environ.get('RATE', '0'))
SEGMENT, RECORD = 16 << 20, 8192
# WAL-like bytes: half random, half repetitive record headers (compresses about 2x, as real WAL does)
rnd = os.urandom(1 << 20)
pattern = b''.join(b'rec %012d ' % i for i in range((1 << 20) // 16))[:1 << 20]
block = bytearray()
for i in range(0, 1 << 20, 4096):
    block += rnd[i:i + 2048] + pattern[i:i + 2048]
block = bytes(block)

def stats():
    try:
        return json.loads(os.getxattr(mnt, 'user.xdevfs.stats'))
    except OSError:
        return {}

peak = [0]
stop = threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], stats().get('hybrid_hot_stored_bytes', 0))
        stop.wait(0.2)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()

wal = os.path.join(mnt, 'pg_wal')
os.makedirs(wal, exist_ok=True)
lat = []
names = []
start = time.perf_counter()
for seg in range(stream // SEGMENT):
    name = os.path.join(wal, '%024X' % (seg + 1))
    fd = os.open(name, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    for off in range(0, SEGMENT, RECORD):
        at = (seg * SEGMENT + off) % len(block)
        os.write(fd, block[at:at + RECORD] if at + RECORD <= len(block) else block[:RECORD])
        t = time.perf_counter_ns()
        os.fdatasync(fd)
        lat.append(time.perf_counter_ns() - t)
        if rate:
            ahead = start + len(lat) / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    os.close(fd)
    names.append(name)
    if len(names) > keep:
        os.unlink(names.pop(0))
elapsed = time.perf_counter() - start
stop.set()
sampler.join()
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] / 1000
s = stats()
print(json.dumps({
    'target': label, 'appends_per_s': round(len(lat) / elapsed), 'seconds': round(elapsed, 1),
    'fdatasync_us': {'p50': round(pct(0.5), 1), 'p99': round(pct(0.99), 1), 'p999': round(pct(0.999), 1),
                     'max': round(lat[-1] / 1000, 1)},
    'hot_peak_bytes': peak[0], 'hot_high_water_bytes': s.get('hybrid_hot_high_water_bytes'),
    'moves_to_cold': s.get('hybrid_moves_to_cold_total'), 'moves_aborted': s.get('hybrid_moves_aborted_total'),
    'switch_wait_max_s': s.get('hybrid_switch_wait_seconds_max'),
    'cold_bytes': s.get('hybrid_cold_bytes'), 'cold_stored_bytes': s.get('hybrid_cold_stored_bytes'),
}))
