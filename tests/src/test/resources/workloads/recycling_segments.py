# A WAL writer the way PostgreSQL writes pg_wal, journaling every step to a file outside the mount:
# segments of PER 8 KiB records, most writes followed by fdatasync, each segment fsync'd and closed when
# full; half of the new segments are an old one renamed for reuse and overwritten in place; old segments
# are unlinked; every name change is followed by an fsync of the directory. A journal line "B ..." is
# written before a step and "A ..." once it returned, so a checker knows what was acknowledged.
# Usage: recycling_segments.py DIR JOURNAL SEED   (runs until killed; resumes the numbering in DIR)
import os, random, sys, time

d, journal, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
REC = 8192
PER = 24
rnd = random.Random(seed)
j = open(journal, 'a', buffering=1)
dfd = os.open(d, os.O_RDONLY)


def content(tag, i):
    b = b'%s:%06d|' % (tag.encode(), i)
    return (b * (REC // len(b) + 1))[:REC]


live = sorted(x for x in os.listdir(d) if x.startswith('seg.'))
n = int(live[-1][4:]) + 1 if live else 0
j.write('A L - %s\n' % ' '.join(live))  # the names a checker has just verified: the ones left by a step in doubt count
while True:
    name = 'seg.%06d' % n
    if len(live) > 10 and rnd.random() < 0.5:
        old = live.pop(0)
        j.write('B R %s %s\n' % (old, name))
        os.rename(d + '/' + old, d + '/' + name)
        os.fsync(dfd)
        j.write('A R %s %s\n' % (old, name))
        fd = os.open(d + '/' + name, os.O_WRONLY)
    else:
        j.write('B C %s\n' % name)
        fd = os.open(d + '/' + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fsync(dfd)
        j.write('A C %s\n' % name)
    tag = 't%d' % n
    for i in range(PER):
        j.write('B W %s %d %s\n' % (name, i, tag))
        os.pwrite(fd, content(tag, i), i * REC)
        if rnd.random() < 0.8:
            os.fdatasync(fd)
            j.write('A W %s %d %s\n' % (name, i, tag))
    os.fsync(fd)
    j.write('A S %s\n' % name)
    os.close(fd)
    live.append(name)
    if len(live) > 16:
        victim = live.pop(rnd.randrange(len(live) - 4))
        j.write('B U %s\n' % victim)
        os.unlink(d + '/' + victim)
        os.fsync(dfd)
        j.write('A U %s\n' % victim)
    n += 1
    time.sleep(0.02)  # a WAL is written at a database's pace, and its sealed segments age
