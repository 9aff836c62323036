#!/usr/bin/env python3
"""wal_turns.py RATE TURNS SEGMENTS_PER_TURN SKIP_SECONDS KEEP MOUNT...: one WAL stream per mount (16 MiB
segments of 8 KiB appends, each followed by fdatasync, at RATE appends a second in all; a segment is deleted
KEEP segments later), written in turns: SEGMENTS_PER_TURN segments on one mount, then on the next, the
order reversed every turn. The first SKIP_SECONDS of a turn are written but not measured, so that what a
mount left running in the background (a hybrid's moves of the segments it just closed) has ended before
another mount is measured. Against bench/hybrid_wal.py's rounds of one mount after another, the mounts see
the disk within seconds of each other, not minutes: a drift of the disk's latency, which moves p99 by 2x
between rounds here, falls on all of them alike. Prints one JSON line per mount."""
import json, os, sys, time

rate, turns, per_turn, skip, keep = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
mounts = sys.argv[6:]
SEGMENT, RECORD = 16 << 20, 8192
random_half = os.urandom(1 << 20)
# WAL-like bytes: half random, half repetitive record headers (compresses about 2x, as real WAL does)
block = b''.join(random_half[i:i + 2048] + (b'rec %012d ' % i * 128)[:2048] for i in range(0, 1 << 20, 4096))
latencies = {m: [] for m in mounts}
live = {m: [] for m in mounts}
written = {m: 0 for m in mounts}
for m in mounts:
    os.makedirs(os.path.join(m, 'pg_wal'), exist_ok=True)
start = time.perf_counter()
appends = 0
for turn in range(turns):
    for m in (mounts if turn % 2 == 0 else mounts[::-1]):
        began = time.perf_counter()
        for _ in range(per_turn):
            written[m] += 1
            name = os.path.join(m, 'pg_wal', '%024X' % written[m])
            fd = os.open(name, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
            for offset in range(0, SEGMENT, RECORD):
                at = offset % len(block)
                os.write(fd, block[at:at + RECORD])
                t = time.perf_counter_ns()
                os.fdatasync(fd)
                took = time.perf_counter_ns() - t
                if time.perf_counter() - began >= skip:
                    latencies[m].append(took)
                appends += 1
                ahead = start + appends / rate - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)
            os.close(fd)
            live[m].append(name)
            if len(live[m]) > keep:
                os.unlink(live[m].pop(0))
for m in mounts:
    lat = sorted(latencies[m])
    pct = lambda p: round(lat[min(len(lat) - 1, int(len(lat) * p))] / 1000, 1)
    try:
        stats = json.loads(os.getxattr(m, 'user.xdevfs.stats'))
    except OSError:
        stats = {}
    print(json.dumps({'mount': os.path.basename(m.rstrip('/')), 'measured': len(lat), 'fdatasync_us': {
        'p50': pct(.5), 'p90': pct(.9), 'p99': pct(.99), 'p999': pct(.999)},
        'moves_to_cold': stats.get('hybrid_moves_to_cold_total')}))
