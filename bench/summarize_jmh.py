#!/usr/bin/env python3
"""Turns CodecBenchmark's JMH JSON into a Markdown table of MB/s (64 KiB chunks per second x 64 KiB)."""
import json
import sys

rows = {}
for r in json.load(open(sys.argv[1])):
    p = r["params"]
    op = r["benchmark"].rsplit(".", 1)[1]
    mbs = r["primaryMetric"]["score"] * 65536 / 1e6
    rows.setdefault((p["input"], p["codec"]), {})[op] = mbs
print("| input | codec:level | compress MB/s | decompress MB/s |")
print("|---|---|---:|---:|")
for (inp, codec), v in sorted(rows.items()):
    print(f"| {inp} | {codec} | {v.get('compress', 0):.0f} | {v.get('decompress', 0):.0f} |")
