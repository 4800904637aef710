#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Each bench step's expected seconds, for the progress lines of
bench/in_vm.sh: from the last run's steps.tsv and host.tsv when there are
(build/bench/raw), else from the committed bench/results/latest.json,
scaled to this run's number of runs per figure. Steps of the format before
the systems took turns (gap-vipfo, gap-ab10, ...) add up to the step that
has them all now (gap).

Usage: estimate.py REPS LAST_RAW_DIR LATEST_JSON > estimate.tsv
"""

import json
import os
import re
import sys


def last_run(raw, latest):
    """[(step, seconds)], runs per figure; from the last raw run if any"""
    try:
        with open(os.path.join(raw, "steps.tsv")) as f:
            steps = [line.rstrip("\n").split("\t") for line in f if line.strip()]
        with open(os.path.join(raw, "host.tsv")) as f:
            host = dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line)
    except OSError:
        try:
            with open(latest) as f:
                res = json.load(f)
        except (OSError, ValueError):
            return [], 1
        steps, host = res.get("steps", []), res.get("host", {})
    try:
        reps = int(host.get("reps", 1))
    except ValueError:
        reps = 1
    return [(s[0], float(s[2])) for s in steps if len(s) >= 3], reps


def main():
    reps = int(sys.argv[1])
    steps, then = last_run(sys.argv[2], sys.argv[3])
    total = {}
    for name, secs in steps:
        name = re.sub(r"^(gap6?|nicgap6?)-.*", r"\1", name)
        total[name] = total.get(name, 0) + secs
    for name, secs in total.items():
        print(f"{name}\t{round(secs * reps / max(then, 1))}")


if __name__ == "__main__":
    main()
