#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Figures of bench/host_failover.sh (issue 15): hosts.md and hosts.json.

Usage: hosts.py RAW_DIR RESULTS_DIR
Per run: the client's gap (the longest silence between ping replies from
the last reply before the failure to the end of the run), and for a host
failover the new master's first VRRP advertisement and the first frame
from its adapters claiming the VIP, from the client's capture.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import VIP, ping_replies, read_tsv, summary  # noqa: E402
from report import fmt  # noqa: E402

SYSTEMS = [("vipfo-1", "vipfo + keepalived, advert_int 1 s"),
           ("vipfo-0.5", "vipfo + keepalived, advert_int 0.5 s"),
           ("ka-1", "keepalived alone, advert_int 1 s"),
           ("ka-0.5", "keepalived alone, advert_int 0.5 s")]
HOWS = [("adapter", "one adapter of the master"), ("host", "the master host")]
NEW_MASTER_IP = "198.51.100.2"	# bh2's a1, where its advertisements come from
VRRP = re.compile(r"^(\d+\.\d+) (\S+) > .*?: (\S+) > 224\.0\.0\.18: VRRP")
CLAIM = re.compile(r"^(\d+\.\d+) (\S+) > .*ARP.*?: (?:Request who-has \S+(?: \(\S+\))? "
                   r"tell (\S+?),|Reply (\S+) is-at)")


def capture(path):
    """(adverts, claims): the times of bh2's VRRP advertisements, and
    (time, eth source) of every ARP frame whose sender is the VIP"""
    adverts, claims = [], []
    with open(path) as f:
        for line in f:
            m = VRRP.match(line)
            if m:
                if m.group(3) == NEW_MASTER_IP:
                    adverts.append(float(m.group(1)))
                continue
            m = CLAIM.match(line)
            if m and VIP in (m.group(3), m.group(4)):
                claims.append((float(m.group(1)), m.group(2)))
    return adverts, claims


def run(raw, row, adverts, claims, bh2):
    system, how, rep, t0, t1, dev = row
    t0, t1 = float(t0), float(t1)
    ts = [t for _, t in ping_replies(os.path.join(raw, f"{system}-{how}-{rep}.ping"))]
    before = [t for t in ts if t <= t0]
    after = [t for t in ts if t0 < t <= t1]
    seq = before[-1:] + after + [t1]
    r = {"system": system, "how": how, "rep": int(rep), "dev": dev,
         "returned": bool(after), "gap_ms": None, "to_advert_ms": None}
    # The outage starts at the last reply before the longest silence: the
    # failure came within one ping interval after it.
    start = t0
    if before:
        r["gap_ms"], start = max((b - a, a) for a, b in zip(seq, seq[1:]))
        r["gap_ms"] *= 1e3
    adv = next((t for t in adverts if start < t <= t1), None)
    claim = next((t for t, src in claims if start < t <= t1 and src in bh2), None)
    r["transition"] = adv is not None
    if adv and before:
        r["to_advert_ms"] = (adv - start) * 1e3
    r["advert_to_claim_ms"] = (claim - adv) * 1e3 if adv and claim else None
    return r


def analyze(raw):
    raw = os.path.join(raw, "hosts")
    bh2 = {row[2] for row in read_tsv(os.path.join(raw, "macs.tsv")) if row[0] == "bh2"}
    adverts, claims = capture(os.path.join(raw, "capture"))
    runs = [run(raw, row, adverts, claims, bh2)
            for row in read_tsv(os.path.join(raw, "runs.tsv")) if len(row) == 6]
    by = {}
    for r in runs:
        by.setdefault(f"{r['system']}/{r['how']}", []).append(r)
    out = {}
    for key, rs in by.items():
        out[key] = {k: summary([r[k] for r in rs])
                    for k in ("gap_ms", "to_advert_ms", "advert_to_claim_ms")}
        out[key]["transitions"] = sum(r["transition"] for r in rs)
        out[key]["never_returned"] = sum(not r["returned"] for r in rs)
        out[key]["n"] = len(rs)
    return {"runs": runs, "summary": out}


def verdict(a, b):
    """a / b of the medians, "within noise" when the ranges overlap"""
    if not a or not b or not a.get("n") or not b.get("n"):
        return "not measured"
    r = f"{a['median'] / b['median']:.2f}×"
    if a["min"] <= b["max"] and b["min"] <= a["max"]:
        return r + " (within noise: the ranges overlap)"
    return r


def report(res, host):
    S = res["summary"]
    md = ["# vipfo with keepalived: failover between hosts", "",
          "Produced by `make bench-hosts` (bench/host_failover.sh, bench/hosts.py): "
          "two hosts of three adapters on one bridge, VRRP between them, a "
          "client pinging the VIP every 5 ms. Figures: median (min–max) ×runs, "
          "in ms. Absolute times in a software-emulated VM mean little; compare "
          "the rows.", ""]
    md += [f"- {k}: {v}" for k, v in host.items()] + [""]
    md += ["| system | failure | gap at the client | outage → new master's "
           "first advertisement | that advertisement → first frame claiming "
           "the VIP | VRRP transitions | pings never back |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for key, name in SYSTEMS:
        for how, what in HOWS:
            s = S.get(f"{key}/{how}")
            if not s:
                md.append(f"| {name} | {what} | not measured | | | | |")
                continue
            md.append(f"| {name} | {what} | {fmt(s['gap_ms'])} | "
                      f"{fmt(s['to_advert_ms'])} | {fmt(s['advert_to_claim_ms'])} | "
                      f"{s['transitions']} of {s['n']} | {s['never_returned']} |")
    md += ["", "## Ratios of the median gaps", ""]

    def g(key):
        return (S.get(key) or {}).get("gap_ms")
    for adv in ("1", "0.5"):
        md.append(f"- advert_int {adv} s, an adapter fails: vipfo + keepalived / "
                  f"keepalived alone = {verdict(g(f'vipfo-{adv}/adapter'), g(f'ka-{adv}/adapter'))}")
        md.append(f"- advert_int {adv} s, the host fails: vipfo + keepalived / "
                  f"keepalived alone = {verdict(g(f'vipfo-{adv}/host'), g(f'ka-{adv}/host'))}")
        md.append(f"- vipfo + keepalived, advert_int {adv} s: host failure / "
                  f"adapter failure = {verdict(g(f'vipfo-{adv}/host'), g(f'vipfo-{adv}/adapter'))}")
    md += ["", "## How it was measured", "",
           "- An adapter fails: its switch port goes down (carrier loss). With "
           "vipfo it is a2, not keepalived's VRRP interface a1, and the client's "
           "entry is set to a2's MAC first; vipfo moves the client, keepalived "
           "sees nothing (the transitions column counts the runs where the other "
           "host advertised anyway). With keepalived alone the VIP is on a1, so "
           "its failure puts the instance in FAULT and the other host takes "
           "over: an adapter failure is a host failover.",
           "- The host fails: all three of its switch ports go down.",
           "- The new master's first advertisement is keepalived's transition as "
           "the wire shows it (keepalived advertises as it becomes master); "
           "the frame claiming the VIP is the first ARP frame from any of the "
           "new master's adapters with the VIP as sender: vipfo's announcement "
           "(after keepalived's notify FIFO line and one `vipctl vrrp` apply) or "
           "keepalived's own gratuitous ARP.",
           "- The gap is the longest silence between ping replies from the last "
           "reply before `ip link set ... down` started to the end of the run, "
           "and the failure's instant is where that silence starts (the failure "
           "came within one ping interval, 5 ms, after it): under emulation on "
           "a busy host the `ip` command can take a second to act.", ""]
    return md


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    res = analyze(raw)
    host = {row[0]: row[1] for row in read_tsv(os.path.join(raw, "host.tsv"))
            if len(row) > 1 and row[0] in ("date", "commit", "host_cpus", "host_kernel",
                                            "reps", "host_load_start", "host_load_end")}
    guest = {row[0]: row[1] for row in read_tsv(os.path.join(raw, "guest.tsv"))
             if len(row) > 1 and row[0] in ("kernel", "keepalived")}
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "hosts.md"), "w") as f:
        f.write("\n".join(report(res, {**host, **guest})))
    with open(os.path.join(outdir, "hosts.json"), "w") as f:
        json.dump(res, f, indent=1)
    if not res["runs"]:
        print("bench: no host failover was measured", file=sys.stderr)
        sys.exit(1)
    print(f"bench: {len(res['runs'])} host failover runs; see {outdir}/hosts.md")


if __name__ == "__main__":
    main()
