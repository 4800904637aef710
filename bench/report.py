#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write latest.md (tables, ratios, goals), latest.png (plots) and
latest.json (every figure) from the raw results of bench/in_vm.sh.

Usage: report.py RAW_DIR|latest.json RESULTS_DIR
Every figure is the median and the min-max over the runs; a goal is marked
met or MISSED from the medians, as measured. From a latest.json (the
committed bench/results/latest.json keeps every run's figures) it
recomputes the tables without the raw logs and traces.
"""

import json
import math
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import analyze  # noqa: E402

MODES = (("ab", "active-backup"), ("alb", "balance-alb"))


def system_name(key, ipv6=False):
    """vipfo, abN (active-backup, miimon N ms), albN (balance-alb)"""
    if key == "vipfo":
        return "vipfo (defaults, up-delay 0)"
    for prefix, mode in MODES:
        n = key[len(prefix):]
        if key.startswith(prefix) and n.isdigit():
            return (f"bonding {mode} miimon={n}"
                    + (", num_unsol_na=1" if ipv6 and prefix == "ab" else ""))
    return key


def systems_of(gap):
    """The systems a gap section ran, vipfo first, then bonding by mode and
    by miimon, longest first (floor is the baseline, not a system)."""
    keys = {r["system"] for r in gap["runs"]} - {"floor"}

    def order(k):
        for i, (prefix, _) in enumerate(MODES):
            if k.startswith(prefix) and k[len(prefix):].isdigit():
                return (i + 1, -int(k[len(prefix):]))
        return (0, 0) if k == "vipfo" else (9, 0)
    return sorted(keys, key=order)


def bonds_of(gap):
    return [k for k in systems_of(gap) if k != "vipfo"]
HOWS = [("carrier-loss", "carrier loss"), ("admin-down", "admin down")]


def fmt(s, digits=1, scale=1.0):
    """median (min–max) ×n of a summary"""
    if not s or not s.get("n"):
        return "n/a"
    f = f"{{:.{digits}f}}"
    return (f"{f.format(s['median'] * scale)} "
            f"({f.format(s['min'] * scale)}–{f.format(s['max'] * scale)}) ×{s['n']}")


def med(s):
    return s["median"] if s and s.get("n") else None


def ratio(a, b):
    return a / b if a is not None and b else None


def overlap(a, b, scale=1.0):
    """Whether the runs of a and those of b, times scale, overlap: the two
    sides of a goal cannot be told apart at this number of runs."""
    if not (a and a.get("n") and b and b.get("n")):
        return False
    return a["min"] <= b["max"] * scale and b["min"] * scale <= a["max"]


def spans(a, x):
    """Whether the runs of a span the value x."""
    return bool(a and a.get("n")) and a["min"] <= x <= a["max"]


class Goals:
    """The goal lines of the report, each met or MISSED from the medians;
    "within noise" besides when the runs of the two sides overlap (a
    ratio goal: noise=(a, b), the summaries of numerator and denominator),
    or when the runs span the limit (noise=(a,): a goal on one figure)."""

    def __init__(self):
        self.rows = []

    def check(self, what, value, limit, shown, cmp="<=", noise=None):
        if value is None or limit is None:
            verdict = "not measured"
        else:
            ok = value <= limit if cmp == "<=" else value >= limit
            verdict = "met" if ok else "**MISSED**"
            if noise and (overlap(noise[0], noise[1], limit) if len(noise) == 2
                          else spans(noise[0], limit)):
                verdict += ", within noise"
        self.rows.append((what, shown, verdict))
        return verdict

    def summary(self):
        met = sum(v.startswith("met") for _, _, v in self.rows)
        noisy = sum(v.endswith("within noise") for _, _, v in self.rows)
        unmeasured = sum(v == "not measured" for _, _, v in self.rows)
        return (f"{met} of {len(self.rows)} goals met, {unmeasured} not measured, "
                f"{noisy} within noise")

    def table(self):
        out = ["| goal | measured | verdict |", "| --- | --- | --- |"]
        out += [f"| {w} | {s} | {v} |" for w, s, v in self.rows]
        return out


def r2(x, unit="×"):
    return "n/a" if x is None else f"{x:.3g}{unit}"


def machine(res):
    h, g = res["host"], res["guest"]
    steps = {row[0]: row for row in res["steps"]}
    lines = [
        "## Machine, kernel, commit",
        "",
        f"- date: {h.get('date', '?')}; commit `{h.get('commit', '?')}`",
        f"- host: {h.get('host_cpus', '?')} CPUs, {h.get('host_cpu_model', '?')}, "
        f"kernel {h.get('host_kernel', '?')}",
        f"- VM: qemu TCG (software emulation), {g.get('cpus', '?')} vCPUs, "
        f"{int(g.get('memory_kb', 0)) // 1024} MiB, kernel {g.get('kernel', '?')}, "
        f"booted with `slab_nomerge`; {g.get('vipctl', '')}",
        f"- runs per figure: {h.get('reps', '?')}; whole bench (VM boot to "
        f"results): {h.get('elapsed_vm_s', '?')} s; host load average (1, 5, "
        f"15 min) at start {h.get('host_load_start', '?')}, at end "
        f"{h.get('host_load_end', '?')} (other VMs on the host slow the "
        "emulated CPUs and add stalls)",
        f"- parts run: {g.get('parts', 'all')}",
        "- steps (status, seconds): " + ", ".join(
            f"{k} {v[1]} {float(v[2]):.0f}s" for k, v in steps.items()),
    ]
    return lines


def gap_rows(gap, systems, hows):
    """Table rows: each system's gap per failure, and its TCP stream."""
    S = gap["summary"]
    rows = []
    for key, name in systems:
        if not any(f"{key}/{how}" in S for how, _ in hows):
            continue
        cells = []
        for how, _ in hows:
            s = S.get(f"{key}/{how}")
            c = fmt(s["gap_ms"]) if s else "n/a"
            if s and s["never_returned"]:
                c += f", {s['never_returned']} never returned"
            cells.append(c)
        t = gap["tcp"].get(key)
        tcp = ("intact" if t and t["ok"] else
               f"FAILED: {t.get('error') if t else 'not run'}")
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {tcp} |")
    return rows


def gap_of(S, key, how, field="gap_ms"):
    """the summary of one system's figure for one kind of failure"""
    return S.get(f"{key}/{how}", {}).get(field)


def best_median(S, how, keys, field):
    """The system among keys with the lowest median field, and that median."""
    vals = {k: med(S.get(f"{k}/{how}", {}).get(field)) for k in keys}
    vals = {k: x for k, x in vals.items() if x is not None}
    best = min(vals, key=vals.get) if vals else None
    return best, vals.get(best)


def section_gap(res, goals):
    gap = res["gap"]
    S = gap["summary"]
    floor = S.get("floor/none", {}).get("gap_ms")
    out = ["## 1. Failover gap seen by the peer (ms)", "",
           "The client pings the VIP every 2 ms (`ping -D -i 0.002`) and "
           "streams TCP to it (one connection per system and round: the "
           "systems take turns round by round, each on a fresh topology); "
           "the adapter its traffic arrives by (the one whose MAC it "
           "holds; the active slave for active-backup) loses carrier (its "
           "switch port goes down) or goes admin down. The failure instant "
           "comes from the kernel trace. Gap = the longest silence between "
           "replies from the last reply before the failure instant to the end "
           "of the run, 1.5 s later (so neither a reply already on its way at "
           "the instant, nor one to a request that slipped through while the "
           "adapter was going down, nor the burst of replies to requests the "
           "peer queued while re-resolving hides the outage). Floor = the same "
           "over the same window in ""runs where nothing fails (vipfo's topology).", "",
           "| system | carrier loss | admin down | TCP stream (all runs) |",
           "| --- | --- | --- | --- |"]
    out += gap_rows(gap, [(k, system_name(k)) for k in systems_of(gap)], HOWS)
    out.append(f"| floor (nothing fails) | {fmt(floor)} | | |")
    out.append("")
    for how, hname in HOWS:
        vs = gap_of(S, "vipfo", how)
        abs_ = gap_of(S, "ab100", how)
        best, b = best_median(S, how, bonds_of(gap), "gap_ms")
        rf, ra, rb = ratio(med(vs), med(floor)), ratio(med(vs), med(abs_)), ratio(med(vs), b)
        out.append(f"- {hname}: vipfo / floor = {r2(rf)}, vipfo / active-backup "
                   f"miimon=100 = {r2(ra)}, vipfo / best bonding ({best}) = {r2(rb)}")
        goals.check(f"1. {hname}: vipfo gap ≤ 1.0 × floor", rf, 1.0, r2(rf),
                    noise=(vs, floor))
        goals.check(f"1. {hname}: vipfo gap ≤ 0.3 × active-backup miimon=100", ra, 0.3, r2(ra),
                    noise=(vs, abs_))
        goals.check(f"1. {hname}: vipfo gap ≤ best bonding ({best})", rb, 1.0, r2(rb),
                    noise=(vs, gap_of(S, best, how)))
    t = gap["tcp"].get("vipfo")
    goals.check("1. vipfo: TCP stream never reset", None if t is None else 0 if t["ok"] else 1,
                0, "n/a" if t is None else "intact" if t["ok"] else f"failed: {t.get('error')}")
    out.append("")
    return out


def section_ktime(res, goals):
    S = res["gap"]["summary"]
    out = ["## 2. Detection to announcement, kernel time (ms, ftrace)", "",
           "From the failure (kprobe on `netif_carrier_off` of the adapter, or "
           "`dev_change_flags` for admin down) to the first update reaching a "
           "surviving adapter's driver (`arp_create` of a gratuitous ARP for "
           "the VIP, or of balance-alb's update reply, then the "
           "`net_dev_start_xmit` tracepoint; for balance-alb also a learning "
           "packet sent right after it moved its MAC to another slave). "
           "Split: detection, then the rest (own part). For vipfo, detection "
           "ends where its failover starts (`vipfo_failover_member_failed`), "
           "reached either "
           "by the kernel's delivery of the device event to "
           "`vipfo_netdev_event` (for carrier loss via linkwatch) or by "
           "vipfo's own carrier poll (an hrtimer, every 5 ms by default), "
           "whichever is first; the own part is vipfo's work from there to "
           "the first update sent. For bonding, detection is miimon polling, "
           "ending at `bond_change_active_slave` or "
           "`bond_alb_handle_link_change`. Same failovers as section 1.", "",
           "| system | failure | total | detection | own part | detected by | "
           "kernel's delivery of the event to vipfo's notifier | vipfo notifier runs |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key in systems_of(res["gap"]):
        name = system_name(key)
        for how, hname in HOWS:
            s = S.get(f"{key}/{how}")
            if not s:
                continue
            nt = fmt(s["notifier_ms"], 3) if key == "vipfo" else ""
            lw = fmt(s["event_ms"], 2) if key == "vipfo" else ""
            out.append(f"| {name} | {hname} | {fmt(s['total_ms'], 2)} | "
                       f"{fmt(s['delivery_ms'], 2)} | {fmt(s['own_ms'], 3)} | "
                       f"{', '.join(s.get('detectors', []))} | {lw} | {nt} |")
    out.append("")
    for how, hname in HOWS:
        vs = gap_of(S, "vipfo", how, "total_ms")
        best, b = best_median(S, how, ("ab10", "alb10"), "total_ms")
        r = ratio(med(vs), b)
        best_all, ba = best_median(S, how, bonds_of(res["gap"]), "total_ms")
        ra = ratio(med(vs), ba)
        out.append(f"- {hname}: vipfo total / best bonding with miimon=10 ({best}) = {r2(r)}; "
                   f"/ best bonding ({best_all}) = {r2(ra)}")
        goals.check(f"2. {hname}: vipfo total ≤ 0.5 × bonding miimon=10 ({best})", r, 0.5, r2(r),
                    noise=(vs, gap_of(S, best, how, "total_ms")))
        goals.check(f"2. {hname}: vipfo total ≤ best bonding ({best_all})", ra, 1.0, r2(ra),
                    noise=(vs, gap_of(S, best_all, how, "total_ms")))
        owns = gap_of(S, "vipfo", how, "own_ms")
        own = med(owns)
        goals.check(f"2. {hname}: vipfo's own part (failover start to first update sent) ≤ 0.2 ms",
                    own, 0.2,
                    "n/a" if own is None else f"{own:.3f} ms", noise=(owns,))
    out.append("")
    return out


NIC_HOWS = [("cable", "cable pulled"),
            ("cable-event", "cable pulled just after another link event")]


def section_nicgap(res, goals):
    gap = res["nicgap"]
    S = gap["summary"]
    if not gap["runs"]:
        goals.check("1n. NICs: failover gap", None, 0, "n/a")
        return ["## 1n. Failover on virtio-net NICs (issue 4)", "", "not measured", ""]
    systems = systems_of(gap)
    floor = S.get("floor/none", {}).get("gap_ms")
    out = ["## 1n. Failover on virtio-net NICs (issue 4)", "",
           "The same measurement on real NIC drivers: the VM's virtio-net NICs "
           "on one qemu hub (the switch) instead of veths on a bridge; the "
           "adapter's cable is pulled through qemu's monitor (`set_link nicN "
           "off`), alone (linkwatch quiet for a second before) or while "
           "another device of the host changes its link as fast as `ip` can "
           "(a dummy's carrier; the table below shows how long before the "
           "failure its last carrier loss was). The kernel reports an ordinary NIC's carrier change "
           "from linkwatch at most once a second for the whole host, so after "
           "another event its report, and any notifier, waits for "
           "linkwatch's next turn. Gap (ms) as in section 1; kernel time as in "
           "section 2.", "",
           "| system | " + " | ".join(h for _, h in NIC_HOWS) + " | TCP stream (all runs) |",
           "| --- | --- | --- | --- |"]
    out += gap_rows(gap, [(k, system_name(k)) for k in systems], NIC_HOWS)
    out += [f"| floor (nothing fails) | {fmt(floor)} | | |", "",
            "Kernel time (ms): from the carrier bit cleared to the first "
            "update handed to a survivor's driver; detection; for vipfo, "
            "when its notifier first heard of the carrier loss (from "
            "linkwatch, or from vipfo's own early report of what its poll "
            "caught: see docs/design.md, \"Why vipfo watches the carrier\"); and "
            "how long before the failure the other device's last carrier "
            "loss was (trace).", "",
            "| system | failure | total | detection | detected by | "
            "carrier loss reaches vipfo's notifier | other link event before |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for key in systems:
        for how, hname in NIC_HOWS:
            s_ = S.get(f"{key}/{how}")
            if not s_:
                continue
            lw = fmt(s_["event_ms"], 2) if key == "vipfo" else ""
            ev = fmt(s_["link_event_before_ms"], 0) if how == "cable-event" else ""
            out.append(f"| {system_name(key)} | {hname} | {fmt(s_['total_ms'], 2)} | "
                       f"{fmt(s_['delivery_ms'], 2)} | "
                       f"{', '.join(s_.get('detectors', []))} | {lw} | {ev} |")
    out.append("")
    for how, hname in NIC_HOWS:
        vs = gap_of(S, "vipfo", how)
        best, b = best_median(S, how, bonds_of(gap), "gap_ms")
        rf, rb = ratio(med(vs), med(floor)), ratio(med(vs), b)
        out.append(f"- {hname}: vipfo / floor = {r2(rf)}, vipfo / best bonding "
                   f"({best}) = {r2(rb)}")
        goals.check(f"1n. NICs, {hname}: vipfo gap ≤ 1.0 × floor", rf, 1.0, r2(rf),
                    noise=(vs, floor))
        goals.check(f"1n. NICs, {hname}: vipfo gap ≤ best bonding ({best})", rb, 1.0, r2(rb),
                    noise=(vs, gap_of(S, best, how)))
    out.append("")
    return out


def gap6_table(gap, hows, tag, what, goals):
    """one topology's IPv6 gap table, its ratios and goals"""
    S = gap["summary"]
    floor = S.get("floor/none", {}).get("gap_ms")
    out = ["| system | " + " | ".join(h for _, h in hows) + " | TCP stream over IPv6 (all runs) |",
           "| --- |" + " --- |" * (len(hows) + 1)]
    out += gap_rows(gap, [(k, system_name(k, ipv6=True)) for k in systems_of(gap)], hows)
    out += [f"| floor (nothing fails) | {fmt(floor)} |" + " |" * len(hows), ""]
    for how, hname in hows:
        vs = gap_of(S, "vipfo", how)
        best, b = best_median(S, how, bonds_of(gap), "gap_ms")
        rf, rb = ratio(med(vs), med(floor)), ratio(med(vs), b)
        out.append(f"- {what}, {hname}: vipfo / floor = {r2(rf)}, vipfo / best "
                   f"bonding ({best}) = {r2(rb)}")
        goals.check(f"{tag}. {what}, {hname}: vipfo gap ≤ 1.0 × floor", rf, 1.0, r2(rf),
                    noise=(vs, floor))
        goals.check(f"{tag}. {what}, {hname}: vipfo gap ≤ best bonding ({best})", rb, 1.0, r2(rb),
                    noise=(vs, gap_of(S, best, how)))
    t = gap["tcp"].get("vipfo")
    goals.check(f"{tag}. {what}: vipfo's TCP stream over IPv6 never reset",
                None if t is None else 0 if t["ok"] else 1, 0,
                "n/a" if t is None else "intact" if t["ok"] else f"failed: {t.get('error')}")
    return out + [""]


def section_gap6(res, goals):
    out = ["## 1v6. Failover gap over IPv6 (ms)", "",
           "Sections 1 and 1n again, with the client pinging (`ping -6`) and "
           "streaming TCP to 2001:db8::100: for vipfo a VIPv6 of the same group "
           "as 192.0.2.100 (each survivor sends unsolicited NAs), for bonding "
           "the bond's address, for which active-backup sends num_unsol_na "
           "unsolicited NAs after a change of active slave (balance-alb "
           "balances only IPv4, so it is not compared). The server's routes "
           "to the client are one per adapter, by metric (the IPv6 host "
           "recipe).", "", "### veths on a bridge", ""]
    if res["gap6"]["runs"]:
        out += gap6_table(res["gap6"], HOWS, "1v6", "veth", goals)
    else:
        goals.check("1v6. veth: failover gap over IPv6", None, 0, "n/a")
        out += ["not measured", ""]
    out += ["### virtio-net NICs", ""]
    if res["nicgap6"]["runs"]:
        out += gap6_table(res["nicgap6"], NIC_HOWS, "1nv6", "NICs", goals)
    else:
        goals.check("1nv6. NICs: failover gap over IPv6", None, 0, "n/a")
        out += ["not measured", ""]
    return out


ARP_ROWS = [("kernel-nomod/0", "kernel answers a plain address of a1, before vipfo is loaded"),
            ("nonvip-nomod/0", "unknown address (no reply), before vipfo is loaded"),
            ("kernel/0", "kernel answers a plain address of a1, namespace without a group (no hook)"),
            ("nonvip-nohook/0", "unknown address, namespace without a group (no hook)"),
            ("vipfo/1", "vipfo, 1 VIP (group of a1)"),
            ("vipfo/1000", "vipfo, 1,000 VIPs"),
            ("vipfo/100000", "vipfo, 100,000 VIPs"),
            ("vipfo3/1", "vipfo, 1 VIP, group of a1 a2 a3 (3 replies per request)"),
            ("kernel-hook/1", "kernel answers a1's plain address, vipfo hook on a1, 1 VIP"),
            ("kernel-hook/100000", "same, 100,000 VIPs"),
            ("nonvip/1", "unknown address, vipfo hook on a1, 1 VIP"),
            ("nonvip/100000", "unknown address, vipfo hook on a1, 100,000 VIPs")]
# The families: the label prefix of their floods (arp_rate.sh), the name of
# the request, the addresses flooded.
ARP_FAMILIES = [("", "ARP", "ARP requests", "192.0.2.50 (a1's), 192.0.2.100 (the VIP), 192.0.2.200 (nobody's)"),
                ("ns-", "NS", "neighbour solicitations (to the target's solicited-node group)",
                 "2001:db8::50 (a1's), 2001:db8::100 (the VIPv6), 2001:db8::200 (nobody's)")]


def arp_table(S, prefix):
    out = ["| case | requests sent/s | replies/s | busy CPUs | CPU µs per request | CPU µs per reply |",
           "| --- | --- | --- | --- | --- | --- |"]
    for key, name in ARP_ROWS:
        s = S.get(prefix + key)
        if not s:
            continue
        out.append(f"| {name} | {fmt(s['sent_per_s'], 0)} | {fmt(s['replies_per_s'], 0)} | "
                   f"{fmt(s['busy_cpus'], 2)} | {fmt(s['cpu_us_per_request'], 1)} | "
                   f"{fmt(s['cpu_us_per_reply'], 1)} |")
    return out


def arp_goals(S, prefix, what, goals):
    """the ratios and goals of one family's floods"""
    g = lambda k, m: med(S.get(prefix + k, {}).get(m))
    rr = ratio(g("vipfo/100000", "replies_per_s"), g("vipfo/1", "replies_per_s"))
    cv, ck, cn = (g("vipfo/1", "cpu_us_per_request"), g("kernel/0", "cpu_us_per_request"),
                  g("nonvip-nohook/0", "cpu_us_per_request"))
    tot = ratio(g("vipfo/1", "cpu_us_per_reply"), g("kernel/0", "cpu_us_per_reply"))
    marg = ratio(cv - cn, ck - cn) if None not in (cv, ck, cn) else None
    nv = g("nonvip/1", "cpu_us_per_request")
    base = S.get(prefix + "nonvip-nohook/0", {}).get("cpu_us_per_request", {})
    nomod = g("nonvip-nomod/0", "cpu_us_per_request")
    out = [f"- {what}: replies/s at 100,000 VIPs / at 1 VIP = {r2(rr)}",
           f"- {what}: CPU per reply, vipfo (1 VIP, one adapter) / the kernel (no hook): "
           f"{r2(tot)} in total; {r2(marg)} for the answering alone: CPU per "
           "answered request minus CPU per unanswered request (no hook), so "
           "that the shared cost of sending, bridging and receiving cancels; "
           "both send one reply per request here",
           f"- {what}: unknown-address requests, CPU per request with vipfo's hook / "
           f"without (no group in the namespace): {r2(ratio(nv, med(base)))}; "
           f"/ before vipfo was loaded: {r2(ratio(nv, nomod))}"]
    goals.check(f"3. {what} reply rate at 100k VIPs ≥ 0.95 × at 1 VIP", rr, 0.95, r2(rr), ">=",
                noise=(S.get(prefix + "vipfo/100000", {}).get("replies_per_s"),
                       S.get(prefix + "vipfo/1", {}).get("replies_per_s")))
    goals.check(f"3. {what} per-reply cost (answering alone) ≤ 1.0 × the kernel's own",
                marg, 1.0, r2(marg))
    goals.check(f"3. non-VIP {what}: CPU per request with the hook within noise of no hook "
                "(median ≤ the slowest no-hook run)",
                nv, base.get("max") if base.get("n") else None,
                "n/a" if nv is None or not base.get("n") else
                f"{nv:.1f} µs vs {fmt(base, 1)} µs")
    return out


def section_arp(res, goals):
    S = res["arp"]["summary"]
    out = ["## 3. ARP and neighbour discovery packet paths", "",
           "trafgen (netsniff-ng, one process, qdisc path) floods ARP requests, "
           "or neighbour solicitations, "
           "from the client through the bridge to the server's three adapters "
           "as fast as it can; counted over 1 s in the middle of each flood: "
           "requests sent and replies received (the client's packet counters), "
           "and the VM's busy CPU time from /proc/stat (both vCPUs; it "
           "includes trafgen, the bridge and the client, the same for every "
           "row). Sender and receiver share the two vCPUs, so a costlier path "
           "also shows as a lower rate. Four copies of the topology (no group, "
           "1, 1,000 and 100,000 VIPs of each family in one group) are flooded "
           "in turn in each round, so "
           "that the emulated machine's drift hits every case alike; the rows "
           "\"before vipfo is loaded\" were measured first, in a separate phase.", ""]
    for prefix, what, requests, addrs in ARP_FAMILIES:
        out += [f"### {what}: {requests}", "", f"Addresses flooded: {addrs}.", ""]
        out += arp_table(S, prefix) + [""]
        out += arp_goals(S, prefix, what, goals) + [""]
    return out


# Per family: the key of its results, the section's title, the frames
# announced, vipfo's counter of them, what the client counts.
FANOUT_FAMILIES = [("fanout", "4. Failover fan-out", "gratuitous ARPs", "garps",
                    "c0 received"),
                   ("fanout6", "4v6. Failover fan-out, IPv6", "unsolicited NAs", "nas",
                    "its stack's Icmp6InType136: neighbour advertisements received")]


def section_fanout(res, goals, key, title, frames, counter, client):
    F = res[key]
    S, runs = F["summary"], F["runs"]
    tag = title.split(".")[0]
    if not runs:
        goals.check(f"{tag}. failover fan-out ({frames})", None, 0, "n/a")
        return [f"## {title}", "", "not measured", ""]
    exp, n = runs[0]["expected"], runs[0]["vips"]
    hows = [(h, name) for h, name in HOWS if h in S]
    out = [f"## {title}", "",
           f"{n:,} VIPs on a1 a2 a3, garp_count 3, the survivors' qdisc "
           f"{F.get('qdisc', 'noqueue')}; a1 loses carrier (vipfo's "
           "carrier poll or its notifier, whichever sees it first, starts the "
           "failover) or goes admin down (the notifier, under RTNL). Expected "
           f"{n:,} × 2 survivors × 3 = {exp:,} {frames}. Frames are "
           f"counted by vipfo ({counter} sent, tx_errors), at the switch (received "
           f"on p2 + p3 from the survivors), at the client ({client}), by "
           "the survivors' driver (tx_dropped) and in the trace "
           f"(`net_dev_start_xmit` of {'ARP' if counter == 'garps' else 'IPv6'} "
           "on a2/a3: frames handed to the "
           "driver). Times from the failure (ftrace); the notifier's run time "
           "is from its entry to its return (kprobe, kretprobe), all of it "
           "under RTNL.", "",
           "| figure | " + " | ".join(name for _, name in hows) + " |",
           "| --- |" + " --- |" * len(hows)]
    rows = (("announced", f"vipfo {counter} counter", 0), ("tx_errors", "vipfo tx_errors", 0),
            ("switch_rx", "frames at the switch", 0), ("client_rx", "frames at the client", 0),
            ("traced_frames", "frames handed to the adapters' driver (traced)", 0),
            ("driver_dropped", "of which the driver dropped (a2 + a3 tx_dropped)", 0),
            ("first_frame_ms", "first frame handed to a survivor's driver (ms)", 2),
            ("first_round_ms", f"first round ({2 * n:,} frames) handed to the drivers (ms)", 1),
            ("notifier_ms", "vipfo_netdev_event runs, holding RTNL (ms)", 3))
    for k, name, d in rows:
        out.append(f"| {name} | " + " | ".join(fmt(S[h][k], d) for h, _ in hows) + " |")
    out += ["", f"veth drops a frame when its peer's receive backlog is full "
            f"(net.core.netdev_max_backlog = {F.get('netdev_max_backlog')}), "
            "and says so only when it has no qdisc; vipfo keeps at most 8 of "
            "its frames in each survivor's queues, sends a frame a queue "
            "dropped again, and counts a tx_error only for a frame it gives up on. "
            "The bridge's own forwarding to the client shares that backlog, "
            "so frames at the client can fall short of frames sent.", ""]
    for h, name in hows:
        rs = [r for r in runs if r["how"] == h]
        good = sum(r["client_rx"] == exp for r in rs)
        goals.check(f"{tag}. {name}: frames at the client = VIPs × survivors × garp_count "
                    f"({exp:,}) in every run", len(rs) - good, 0,
                    f"{good} of {len(rs)} runs exact (median {med(S[h]['client_rx']):,.0f})")
        nt = S[h]["notifier_ms"]
        worst = nt["max"] if nt and nt.get("n") else None
        goals.check(f"{tag}. {name}: notifier holds RTNL ≤ 1 ms in every run", worst, 1.0,
                    "n/a" if worst is None else f"longest {worst:.3f} ms "
                    f"(median {nt['median']:.3f})")
    return out


def section_config(res, goals):
    C = res["config"]
    secs = C["seconds"]
    keys = sorted(secs, key=lambda k: (int(k.split("/")[1]), k))
    g = lambda k: med(secs.get(k))
    sizes = sorted({int(k.split("/")[1]) for k in keys if k.startswith("ip-batch-add/")})
    nl = sizes[-1] if sizes else None
    grow = ""
    if len(sizes) > 1 and g(f"ip-batch-add/{sizes[0]}") and g(f"ip-batch-add/{nl}"):
        k = math.log(g(f"ip-batch-add/{nl}") / g(f"ip-batch-add/{sizes[0]}")) / \
            math.log(nl / sizes[0])
        grow = (f" From {sizes[0]:,} to {nl:,} addresses ip -batch's time grows "
                f"as N^{k:.2f}, and steeper as N grows (the list walk takes over "
                "from the fixed cost per command).")
    out = ["## 5. Configuration scale", "",
           "Wall time of one command adding or removing N VIPs (s). `vipctl` "
           "adds each VIP to vipfo and its /32 to lo; `--no-local` only the "
           "former; `ip -batch` adds the same /32s to lo. Adding N addresses "
           "to one device costs the kernel O(N) per address (it walks the "
           "device's address list), so `ip -batch` and `vipctl` without "
           "`--no-local` were run with the N shown, not 100,000, to fit the "
           "time budget." + grow, "",
           "| command | N | seconds |", "| --- | --- | --- |"]
    for k in keys:
        label, n = k.split("/")
        out.append(f"| {label} | {int(n):,} | {fmt(secs[k], 2)} |")
    out.append("")
    for verb in ("add", "del"):
        r = ratio(g(f"vipctl-{verb}/{nl}"), g(f"ip-batch-{verb}/{nl}"))
        rn = ratio(g(f"vipctl-nolocal-{verb}/{nl}"), g(f"ip-batch-{verb}/{nl}"))
        out.append(f"- {verb}, {nl} addresses: vipctl / ip -batch = {r2(r)} "
                   f"(vipctl does ip's work and fills vipfo's table); "
                   f"vipctl --no-local / ip -batch = {r2(rn)}")
        goals.check(f"5. vipctl vip {verb} ≤ 1.0 × ip -batch (N = {nl}, same /32s on lo)",
                    r, 1.0, r2(r), noise=(secs.get(f"vipctl-{verb}/{nl}"),
                                          secs.get(f"ip-batch-{verb}/{nl}")))
    sets = [(C["nvips"], C["memory"], C["memory6"])]
    if C.get("nmem"):
        sets.append((C["nmem"], C["bigmemory"], C["bigmemory6"]))
    out += ["",
            "Kernel memory per VIP (added with --no-local; before/after /proc/meminfo "
            "and /proc/slabinfo, the latter once Slab + VmallocUsed stay the same for 2 s: "
            "the hash table's resize is over), IPv4 "
            "VIPs (198.18.0.1 upward), then IPv6 VIPs (2001:2::1 upward). "
            f"{C.get('nmem') or 0:,} VIPs were added and removed by one `vipctl -b` "
            "command each (a million addresses do not fit in argv); the memory cgroup's "
            "pointer per object (8 B) is in the Slab figure, not in the cache's objects.", "",
            "| VIPs | figure | bytes per IPv4 VIP | bytes per IPv6 VIP |",
            "| --- | --- | --- | --- |"]
    for n, M, M6 in sets:
        out += [f"| {n:,} | Slab + VmallocUsed delta (objects, hash buckets, all else) | "
                f"{fmt(M['bytes_per_vip'], 1)} | {fmt(M6['bytes_per_vip'], 1)} |",
                f"| {n:,} | vipfo_vip cache objects alone (objsize "
                f"{med(M['cache_objsize']) or '?'}) | "
                f"{fmt(M['cache_bytes_per_vip'], 1)} | {fmt(M6['cache_bytes_per_vip'], 1)} |",
                f"| {n:,} | MemFree delta (cross-check, includes everything) | "
                f"{fmt(M['memfree_bytes_per_vip'], 1)} | {fmt(M6['memfree_bytes_per_vip'], 1)} |"]
    out.append("")
    show = C.get("show") or {}
    if show:
        out += [f"`vipctl show scale` with N IPv4 VIPs in the group: wall time, vipctl's "
                "peak RSS (getrusage of the child), output size:", "",
                "| form | N | seconds | peak RSS (MiB) | output (MB) |",
                "| --- | --- | --- | --- | --- |"]
        for k in sorted(show, key=lambda k: (k.split("/")[0], int(k.split("/")[1]))):
            form, n = k.split("/")
            r = show[k]
            mb = med(r["bytes"])
            out.append(f"| {form} | {int(n):,} | {fmt(r['seconds'], 2)} | "
                       f"{fmt(r['rss_kb'], 1, 1 / 1024)} | "
                       f"{'n/a' if mb is None else f'{mb / 1e6:.1f}'} |")
        out.append("")
        small, big = C["nvips"], C.get("nmem")
        for form in ("text", "json"):
            a, b = show.get(f"{form}/{small}"), show.get(f"{form}/{big}")
            r = ratio(med(b["rss_kb"]) if b else None, med(a["rss_kb"]) if a else None)
            goals.check(f"5. vipctl show ({form}) streams: peak RSS at {big or 0:,} VIPs "
                        f"≤ 1.1 × at {small:,}", r, 1.1, r2(r),
                        noise=(b["rss_kb"] if b else None, a["rss_kb"] if a else None))
    hold = C.get("dump_hold") or {}
    if hold:
        out += ["The dump behind `vipctl show scale` (text): its calls of "
                "vipfo_nl_group_dump(), one per message, each holding RTNL throughout "
                "(kprobe and kretprobe):", "",
                "| N | calls | longest call (ms) |", "| --- | --- | --- |"]
        for n in sorted(hold, key=int):
            out.append(f"| {int(n):,} | {fmt(hold[n]['calls'], 0)} | {fmt(hold[n]['max_ms'], 3)} |")
        out.append("")
        big = str(max(int(n) for n in hold))
        worst = hold[big]["max_ms"]["max"] if hold[big]["max_ms"].get("n") else None
        goals.check(f"5. the dump of {int(big):,} VIPs holds RTNL ≤ 1 ms at a time", worst, 1.0,
                    "n/a" if worst is None else f"longest {worst:.3f} ms")
    # The goal is for the largest size measured.
    n, M, M6 = sets[-1]
    for family, m in (("IPv4", M), ("IPv6", M6)):
        b = med(m["bytes_per_vip"])
        goals.check(f"5. kernel memory ≤ 96 bytes per {family} VIP at {n:,}", b, 96,
                    "n/a" if b is None else f"{b:.1f} B", noise=(m["bytes_per_vip"],))
    return out


def plots(res, path):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    runs = res["gap"]["runs"]
    floor = res["gap"]["summary"].get("floor/none", {}).get("gap_ms")
    systems = systems_of(res["gap"])
    for i, key in enumerate(systems):
        for j, (how, hname) in enumerate(HOWS):
            ys = [r["gap_ms"] for r in runs if r["system"] == key and r["how"] == how
                  and r["gap_ms"] is not None]
            x = i + (j - 0.5) * 0.3
            c = "tab:blue" if how == "carrier-loss" else "tab:orange"
            ax1.scatter([x] * len(ys), ys, s=14, color=c, alpha=0.7,
                        label=hname if i == 0 else None)
            if ys:
                ys.sort()
                ax1.hlines(ys[len(ys) // 2] if len(ys) % 2 else
                           (ys[len(ys) // 2 - 1] + ys[len(ys) // 2]) / 2,
                           x - 0.12, x + 0.12, color=c)
    if floor and floor.get("n"):
        ax1.axhspan(floor["min"], floor["max"], color="grey", alpha=0.2,
                    label="floor (nothing fails), min–max")
        ax1.axhline(floor["median"], color="grey", lw=1)
    if any(r["gap_ms"] for r in runs):
        ax1.set_yscale("log")
    ax1.set_xticks(range(len(systems)))
    ax1.set_xticklabels([system_name(k).replace("bonding ", "").replace(" miimon", "\nmiimon")
                         for k in systems], fontsize=7)
    ax1.set_ylabel("gap between ping replies (ms, log)")
    ax1.set_title("Failover gap seen by the peer (2 ms ping)")
    ax1.legend(fontsize=8)

    S = res["arp"]["summary"]
    xs, ys, lo, hi = [], [], [], []
    for n in (1, 1000, 100000):
        s = S.get(f"vipfo/{n}", {}).get("replies_per_s")
        if s and s["n"]:
            xs.append(n)
            ys.append(s["median"])
            lo.append(s["median"] - s["min"])
            hi.append(s["max"] - s["median"])
    ax2.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=4, label="vipfo (group of a1)")
    k = S.get("kernel/0", {}).get("replies_per_s")
    if k and k["n"]:
        ax2.axhspan(k["min"], k["max"], color="grey", alpha=0.2)
        ax2.axhline(k["median"], color="grey", label="kernel's own ARP, no vipfo hook (min–max)")
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    ax2.set_xlabel("VIPs configured")
    ax2.set_ylabel("ARP replies per second")
    ax2.set_title("ARP reply rate against VIP count (median, min–max)")
    ax2.legend(fontsize=8)
    fig.suptitle("vipfo vs Linux bonding, Linux 6.1 in a software-emulated VM: "
                 "the ratios are the results", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    if raw.endswith(".json"):
        with open(raw) as f:
            res = json.load(f)
        res.pop("goals", None)
    else:
        res = analyze(raw)
    goals = Goals()
    # A run of some parts (make bench PARTS=...) reports those alone.
    parts = res["guest"].get("parts", "all")
    ran = lambda p: parts == "all" or p in parts.split(",")
    body = []
    if ran("gap"):
        body += section_gap(res, goals) + section_ktime(res, goals)
    if ran("nicgap"):
        body += section_nicgap(res, goals)
    if ran("gap6") or ran("nicgap6"):
        body += section_gap6(res, goals)
    if ran("arp"):
        body += section_arp(res, goals)
    if ran("fanout"):
        for f in FANOUT_FAMILIES:
            body += section_fanout(res, goals, *f)
    if ran("config"):
        body += section_config(res, goals)
    md = ["# vipfo benchmarks: latest results", "",
          "Produced by `make bench` (bench/run): one boot of the test VM runs "
          "every measurement, vipfo and the Linux bonding alternatives side by "
          "side. Absolute times in a software-emulated VM mean little; the "
          "ratios are the results. Figures: median (min–max) ×runs. Goals "
          "(issues 5 and 18) are judged from the medians as measured, and "
          "\"within noise\" when the runs of the two sides overlap (or the "
          "runs of a figure span its limit): more runs would be needed to "
          "tell.", ""]
    failed = [f"{name} (status {rc})" for name, rc, *_ in res["steps"] if rc != "0"]
    md += machine(res) + ["", "## Goals", "", goals.summary() + "."
                          + (" Steps that failed: " + ", ".join(failed) + "." if failed else ""),
                          ""] + goals.table() + [""] + body
    md += ["## What was measured differently from issue 5, and why", "",
           "- Gap (1): the longest silence from the last reply before the "
           "failure to the end of the 1.5 s run, not the interval around the "
           "instant itself: in the VM, `ip link set ... down` takes about a "
           "millisecond, so a request sent just after the traced instant can "
           "still get through, and requests queued while the peer re-resolves "
           "come back in a burst; either would otherwise hide the outage.",
           "- The peer's gap with vipfo also depends on the server's return "
           "path: the multipath route stops using the failed adapter's nexthop "
           "only when the kernel delivers the device event (the linkwatch "
           "column of section 2), and the server must resolve the peer's MAC "
           "on the surviving adapter.",
           "- First update \"on the wire\" (2, 4): the moment the frame is "
           "handed to the adapter's driver (`net_dev_start_xmit`); veth then "
           "delivers it to its peer or drops it, counted in section 4.",
           "- Configuration scale (5): `ip -batch` and `vipctl` without "
           "`--no-local` at 3,000 addresses instead of 100,000: the kernel's "
           "per-device address list makes them quadratic, and 100,000 would "
           "take far longer than the whole bench may (while this bench was "
           "written, 30,000 addresses took ip -batch 221 s in this VM). "
           "vipctl --no-local is "
           "measured at 100,000.",
           "- ARP path (3): the rate is what one trafgen process on the same "
           "two emulated CPUs can offer, so the path's cost shows both as CPU "
           "per request and as a lower rate; the no-hook rows are from a "
           "namespace without a group (vipfo registers its hook per namespace "
           "only while it has groups), interleaved with the others, plus a "
           "separate phase before the module is loaded.",
           "- Host noise: the VM shares a 2-core host with other sessions' VMs; "
           "see the load average above. Ratios that depend on small "
           "differences (the answering-alone cost in 3) move a lot from run "
           "to run.", "",
           "![plots](latest.png)", ""]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "latest.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(outdir, "latest.json"), "w") as f:
        json.dump({"goals": goals.rows, **res}, f, indent=1, default=str)
    plots(res, os.path.join(outdir, "latest.png"))
    print(f"bench: {goals.summary()}")


if __name__ == "__main__":
    main()
