#!/usr/bin/env python3
"""Reads bench/results/RUN/*.json (JOB.TARGET.ROUND.json) and prints a markdown table of medians and ratios."""
import glob
import json
import os
import statistics
import sys

TARGETS = ["native", "bindfs", "xdevfs"]
# Jobs that sync as they write, and the call they make: its latency percentiles are reported too.
SYNCS = {"walappend": "fdatasync", "walappend-grow": "fdatasync", "walappend-4jobs": "fdatasync", "seqwrite-zerofill": "fsync"}
# Optional variants (xdevfs-mt, xdevfs-compressed, ...) are extra columns, each also as a ratio to xdevfs.
# RATIOS="xdevfs-sparsenopc/xdevfs-nopc ..." adds ratios between two such columns (variants compared with
# each other rather than with the default mount).


def metrics(job, data):
    """The figures that matter for a job: name -> (value, higher_is_better)."""
    out = {}
    jobs = data["jobs"]
    if job == "metadata":
        for j in jobs:
            side = j["write"] if j["write"]["total_ios"] else j["read"]
            out[j["jobname"] + " files/s"] = (side["iops"], True)
        return out
    j = jobs[0]
    side = j["read"] if "read" in job else j["write"]
    if job.startswith("seq"):
        out["MiB/s"] = (side["bw_bytes"] / 2**20, True)
    else:
        out["IOPS"] = (side["iops"], True)
    if job in SYNCS:
        pct = j["sync"]["lat_ns"]["percentile"]
        for p, label in (("50.000000", "p50"), ("99.000000", "p99"), ("99.900000", "p99.9")):
            out[SYNCS[job] + " " + label + " us"] = (pct[p] / 1000, False)
    return out


def main(run_dir):
    table = {}
    for path in sorted(glob.glob(os.path.join(run_dir, "*.json"))):
        job, target, round_ = os.path.basename(path)[:-5].rsplit(".", 2)
        with open(path) as f:
            text = f.read()
        data = json.loads(text[text.index("{"):])  # fio may print notes before the JSON
        for name, (value, higher) in metrics(job, data).items():
            table.setdefault((job, name, higher), {}).setdefault(target, {})[int(round_)] = value
    targets = {t for v in table.values() for t in v}
    anchors = sorted(t for t in targets - set(TARGETS) if t.startswith(("native-", "bindfs-")))
    extra = sorted(targets - set(TARGETS) - set(anchors))
    # A storage type with its own anchors (xdevfs-tmpfs vs native-tmpfs, bindfs-tmpfs) is compared to them too.
    anchored = [(t, a) for t in extra for a in anchors if a.split("-", 1)[1] == t.split("-", 1)[1]]
    for pair in os.environ.get("RATIOS", "").split():
        num, _, den = pair.partition("/")
        if num not in targets or den not in targets:
            sys.exit("RATIOS: %s names a target this run does not have (it has: %s)" % (pair, " ".join(sorted(targets))))
        anchored.append((num, den))
    columns = TARGETS + extra + anchors
    print("| job | metric | " + " | ".join(columns) + " | xdevfs/native | xdevfs/bindfs | "
          + "".join(t + "/xdevfs | " for t in extra) + "".join(t + "/" + a + " | " for t, a in anchored))
    print("|---|---|" + "---:|" * (len(columns) + len(extra) + len(anchored) + 2))
    rounds = []
    for (job, name, higher), per_target in table.items():
        med = {t: statistics.median(v.values()) for t, v in per_target.items() if v}
        if not all(t in med for t in columns):
            continue
        row = [job, name] + ["%.1f" % med[t] for t in columns]
        row += ["%.2fx" % (med["xdevfs"] / med[t]) if med[t] else "-" for t in ("native", "bindfs")]
        row += ["%.2fx" % (med[t] / med["xdevfs"]) if med["xdevfs"] else "-" for t in extra]
        row += ["%.2fx" % (med[t] / med[a]) if med[a] else "-" for t, a in anchored]
        print("| " + " | ".join(row) + " |")
        for t, a in [("xdevfs", "native"), ("xdevfs", "bindfs")] + [(t, "xdevfs") for t in extra] + anchored:
            rounds.append("%s %s %s/%s: %s" % (job, name, t, a, paired(per_target[t], per_target[a])))
    print("\nMedians over rounds; for latencies lower is better, so a ratio below 1 is a win there.")
    print("\nPer-round ratios (the two targets of a ratio ran in the same round), the spread behind each median:\n")
    for line in rounds:
        print("- " + line)


def paired(numerators, denominators):
    return " ".join("%.2f" % (numerators[r] / denominators[r]) if denominators.get(r) else "-"
                    for r in sorted(numerators))


if __name__ == "__main__":
    main(sys.argv[1])
