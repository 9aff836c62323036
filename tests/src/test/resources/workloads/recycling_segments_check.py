# Checks DIR against the JOURNAL of recycling_segments.py: every acknowledged record of every segment that
# should exist holds its bytes, and no name the journal removed is there. A record written after its last
# sync may hold anything (an unsynced overwrite may be torn on any filesystem), and the names of the one
# step that began without being acknowledged may be either way. Prints "checked N records in F files"
# (and each difference); exits 1 on any difference.
import os, sys

d, journal = sys.argv[1], sys.argv[2]
REC = 8192


def content(tag, i):
    b = b'%s:%06d|' % (tag.encode(), i)
    return (b * (REC // len(b) + 1))[:REC]


model = {}     # name -> {record: tag} acknowledged
pending = {}   # name -> {record: tag} written after the file's last sync
unsure = set()
last_begun = None
for line in (open(journal).read().splitlines() if os.path.exists(journal) else []):
    p = line.split()
    if len(p) < 3:
        continue  # a line torn by the kill
    kind, op = p[0], p[1]
    if kind == 'B':
        last_begun = p
        if op == 'W':
            pending.setdefault(p[2], {})[int(p[3])] = p[4]
        continue
    last_begun = None
    if op == 'L':  # a restart of the writer, right after a check of what was there
        model = {name: {i: tag for i, tag in model.get(name, {}).items() if i not in pending.get(name, {})}
                 for name in p[3:]}  # a record written after its last sync holds what it holds
        pending = {}
    elif op == 'C':
        model[p[2]] = {}
    elif op == 'R':
        model[p[3]] = model.pop(p[2], {})  # a name left by an unacknowledged create holds nothing known
        pending.pop(p[2], None)
    elif op in ('W', 'S'):  # a sync covers every write of the file before it
        model.setdefault(p[2], {}).update(pending.pop(p[2], {}))
    elif op == 'U':
        model.pop(p[2], None)
if last_begun is not None and last_begun[1] in ('C', 'R', 'U'):
    unsure.update(last_begun[2:4])
bad = 0
checked = 0
present = set(os.listdir(d))
for name, records in sorted(model.items()):
    if name in unsure:
        continue
    if name not in present:
        print('missing', name)
        bad += 1
        continue
    with open(os.path.join(d, name), 'rb') as f:
        data = f.read()
    for i, tag in sorted(records.items()):
        if i in pending.get(name, {}):
            continue
        checked += 1
        if data[i * REC:(i + 1) * REC] != content(tag, i):
            print('differs', name, 'record', i, 'expected', tag, 'found', data[i * REC:i * REC + 16], 'size', len(data))
            bad += 1
for name in sorted(present - set(model) - unsure):
    if name.startswith('seg.'):
        print('should not exist', name)
        bad += 1
print('checked %d records in %d files, %d differences' % (checked, len(model), bad))
sys.exit(1 if bad else 0)
