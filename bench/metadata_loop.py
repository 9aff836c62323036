"""Create, stat and unlink N files in each target directory, one system call at a time, rounds
interleaved with the order rotated; prints files/s per round and target as JSON lines.
Python's own cost per call (about 1.5 us) is the same for every target and small against a FUSE
round trip; fio's filecreate engine spends about 110 us of its own per file, which hides the mounts'
differences (docs/benchmarks.md, "Creates")."""
import json
import os
import sys
import time


def one(directory, n):
    where = os.path.join(directory, 'metadata-loop')
    os.mkdir(where)
    names = [os.path.join(where, 'f%d' % i) for i in range(n)]
    rates = {}
    start = time.perf_counter()
    for name in names:
        os.close(os.open(name, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
    rates['create'] = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for name in names:
        os.stat(name)
    rates['stat'] = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for name in names:
        os.unlink(name)
    rates['unlink'] = n / (time.perf_counter() - start)
    os.rmdir(where)
    return rates


def main():
    rounds = int(os.environ.get('ROUNDS', '5'))
    n = int(os.environ.get('FILES', '5000'))
    targets = sys.argv[1:]  # NAME=DIR
    for r in range(rounds):
        k = r % len(targets)
        for target in targets[k:] + targets[:k]:
            name, directory = target.split('=', 1)
            print(json.dumps({'round': r + 1, 'target': name, **one(directory, n)}), flush=True)


if __name__ == '__main__':
    main()
