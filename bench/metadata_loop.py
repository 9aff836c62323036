"""Create, stat and unlink N files in each target directory, one system call at a time, rounds
interleaved in an order that changes every round (as bench/lib.sh's round_order); prints files/s per round and target as JSON lines.
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


def round_order(r, targets):
    """Round r (from 0): rotated by one every other round, every second round reversed, so that each target
    runs right after each other one equally often (a target that follows another's deletes runs slower)."""
    rot = (r // 2) % len(targets)
    order = targets[rot:] + targets[:rot]
    return order[::-1] if r % 2 else order


def main():
    rounds = int(os.environ.get('ROUNDS', '5'))
    n = int(os.environ.get('FILES', '5000'))
    targets = sys.argv[1:]  # NAME=DIR
    for r in range(rounds):
        for target in round_order(r, targets):
            name, directory = target.split('=', 1)
            print(json.dumps({'round': r + 1, 'target': name, **one(directory, n)}), flush=True)


if __name__ == '__main__':
    main()
