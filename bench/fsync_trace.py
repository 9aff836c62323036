#!/usr/bin/env python3
"""fsync_trace.py TRACE WRITER_PID: from a tracefs text trace of fuse_request_send/_end and the fdatasync
system calls, per FUSE opcode the request latency, and for the writer's FSYNC requests the daemon's own
fdatasync inside each and the wait outside it (bench/fsync-trace.sh)."""
import bisect, collections, re, sys

line_re = re.compile(r'^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (\w+)(?:: |\(| -> )(.*)$')
sent, fsyncs, entered, daemon_syncs = {}, [], {}, []
latency = collections.defaultdict(list)
writer = int(sys.argv[2])
for line in open(sys.argv[1]):
    m = line_re.match(line)
    if not m:
        continue
    pid, ts, event, rest = int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
    if event == 'fuse_request_send':
        unique = int(re.search(r'req (\d+)', rest).group(1))
        sent[unique] = (pid, ts, re.search(r'\((\w+)\)', rest).group(1))
    elif event == 'fuse_request_end':
        unique = int(re.search(r'req (\d+)', rest).group(1))
        if unique in sent:
            who, began, op = sent.pop(unique)
            latency[op].append(ts - began)
            if op == 'FUSE_FSYNC' and who == writer:
                fsyncs.append((began, ts))
    elif event == 'sys_fdatasync' and pid != writer:
        if '->' in line:
            if pid in entered:
                daemon_syncs.append((entered.pop(pid), ts))
        else:
            entered[pid] = ts

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1e6 if values else 0.0

for op in sorted(latency, key=lambda o: -len(latency[o])):
    if len(latency[op]) >= 10:
        print('%-16s n=%7d p50 %8.1f us  p99 %9.1f us' % (op, len(latency[op]), pct(latency[op], .5), pct(latency[op], .99)))
daemon_syncs.sort()
starts = [d[0] for d in daemon_syncs]
inside, outside, matched = [], [], []
for began, ended in fsyncs:
    i = bisect.bisect_left(starts, began)
    if i < len(daemon_syncs) and daemon_syncs[i][0] < ended:
        inside.append(daemon_syncs[i][1] - daemon_syncs[i][0])
        outside.append((ended - began) - inside[-1])
        matched.append((ended - began, inside[-1], outside[-1]))
print('writer FSYNC requests %d: the daemon\'s fdatasync p50 %.1f p99 %.1f us; outside it p50 %.1f p99 %.1f us'
      % (len(fsyncs), pct(inside, .5), pct(inside, .99), pct(outside, .5), pct(outside, .99)))
slowest = sorted(matched, reverse=True)[:max(1, len(matched) // 100)]
print('slowest 1%%: mean %.1f us, of which the fdatasync %.1f, outside it %.1f'
      % tuple(sum(s[i] for s in slowest) / len(slowest) * 1e6 for i in range(3)))
waited = sum(1 for o in outside if o > 300e-6)
print('waited > 300 us outside the daemon\'s fdatasync: %d (%.2f%%)' % (waited, 100.0 * waited / max(1, len(outside))))
