#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw results of bench/in_vm.sh into figures (used by report.py).

analyze(RAW) returns a dict: per measurement, the list of per-run values
and their summary (median, min, max, n). `analyze.py RAW` prints it as JSON.
"""

import glob
import json
import os
import re
import socket
import statistics
import struct
import sys

VIP = "192.0.2.100"
NETDEV_DOWN, NETDEV_CHANGE = 2, 4
BOND_LINK_DOWN = 2


def summary(values):
    """median, min, max and count of the values that are not None"""
    v = [x for x in values if x is not None]
    if not v:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v)}


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def read_kv(path):
    return {row[0]: row[1] for row in read_tsv(path) if len(row) > 1}


def le32(ip):
    """an IPv4 address as a kprobe's x32 shows a __be32 argument"""
    return struct.unpack("<I", socket.inet_aton(ip))[0]


# ---------------------------------------------------------------- ftrace

TRACE_LINE = re.compile(r"^\s*(?P<task>.*?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+"
                        r"\S+\s+(?P<ts>\d+\.\d+):\s+(?P<event>\w+):\s*(?P<rest>.*)$")
FIELD = re.compile(r'(\w+)=("[^"]*"|\S*)')


def read_trace(path):
    """ftrace's text output as a list of events: dicts with ts (s), event,
    pid and the event's fields (strings, quotes removed)"""
    events = []
    if not os.path.exists(path):
        return events
    with open(path) as f:
        for line in f:
            m = TRACE_LINE.match(line)
            if not m:
                continue
            e = {k: v.strip('"') for k, v in FIELD.findall(m["rest"])}
            e.update(ts=float(m["ts"]), name=m["event"], pid=m["pid"],
                     rest=m["rest"])
            events.append(e)
    return events


def next_ret(events, i, name):
    """the return event `name` of the call at events[i] (same task)"""
    for e in events[i + 1:]:
        if e["name"] == name and e["pid"] == events[i]["pid"]:
            return e
    return None


CARRIER_HOWS = ("carrier-loss", "cable", "cable-event")


def failure_start(events, how, dev):
    """when the adapter failed: its carrier bit cleared (its switch port
    down, its cable pulled), or admin down"""
    kind = "carrier_off" if how in CARRIER_HOWS else "change_flags"
    for e in events:
        if e["name"] == kind and e.get("dev") == dev:
            return e["ts"]
    return None


def first_update_on_wire(events, start, failed):
    """the first update that reaches a surviving adapter's driver after
    start: an ARP for the VIP (a gratuitous ARP, or a reply as balance-alb
    sends) handed over by the task that built it, or a learning packet
    (balance-alb moving its MAC to another port): (time, device)"""
    vip = le32(VIP)
    survivor = lambda x: re.fullmatch(r"a\d", x.get("dev", "")) and x["dev"] != failed
    for i, e in enumerate(events):
        if e["ts"] < start:
            continue
        # balance-alb's learning packets count only right after it changed
        # its active slave (it also sends them every second anyway).
        if (e["name"] == "net_dev_start_xmit" and e.get("protocol") == "0x9000"
                and survivor(e) and any(
                    b["name"] == "bond_change_active" and b["pid"] == e["pid"]
                    and start <= b["ts"] <= e["ts"] <= b["ts"] + 0.005
                    for b in events)):
            return e["ts"], e["dev"]
        if e["name"] != "arp_create":
            continue
        op, sip, tip = int(e["op"]), int(e["sip"], 16), int(e["tip"], 16)
        if sip != vip or not (op == 2 or (op == 1 and tip == sip)):
            continue
        for x in events[i + 1:]:
            if (x["name"] == "net_dev_start_xmit" and x["pid"] == e["pid"]
                    and x.get("protocol") == "0x0806" and survivor(x)):
                return x["ts"], x["dev"]
    return None, None


def ktime_run(events, system, how, dev):
    """detection-to-announcement of one failover, in ms: total, the
    detection (the kernel's delivery of the event to vipfo's notifier, or
    vipfo's carrier poll; bonding's miimon) and the rest"""
    start = failure_start(events, how, dev)
    if start is None:
        return None
    react = notifier = detector = delivered = None
    for i, e in enumerate(events):
        if e["ts"] < start:
            continue
        if system.startswith("vipfo") and e["name"] == "vipfo_event" and \
                e.get("dev") == dev and int(e.get("ev", -1)) == want_event(how) \
                and delivered is None:
            delivered = e["ts"]
            ret = next_ret(events, i, "vipfo_event_ret")
            notifier = (ret["ts"] - e["ts"]) * 1e3 if ret else None
            if react is None:
                react, detector = e["ts"], "notifier"
        if system.startswith("vipfo") and e["name"] == "vipfo_failed" and react is None:
            react = e["ts"]
            detector = "poll" if e.get("detector") == "1" else "notifier"
        if system[:2] in ("ab", "al") and react is None and (
                e["name"] == "bond_change_active" or
                (e["name"] == "bond_alb_link" and e.get("dev") == dev and
                 int(e["link"]) == BOND_LINK_DOWN)):
            react, detector = e["ts"], "miimon"
    wire, via = first_update_on_wire(events, start, dev)
    ms = lambda a, b: (b - a) * 1e3 if a is not None and b is not None else None
    return {"total_ms": ms(start, wire), "delivery_ms": ms(start, react),
            "own_ms": ms(react, wire), "notifier_ms": notifier,
            "event_ms": ms(start, delivered), "detector": detector, "via": via}


def want_event(how):
    return NETDEV_CHANGE if how in CARRIER_HOWS else NETDEV_DOWN


def link_event_before(events, start):
    """ms from the last link event of another device (the dummy d0's
    carrier) before the failure, to the failure"""
    t = [e["ts"] for e in events if e["name"] == "carrier_off"
         and e.get("dev") == "d0" and e["ts"] <= start]
    return (start - t[-1]) * 1e3 if t else None


# ---------------------------------------------------------------- gap

PING_REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .* time=([\d.]+) ms", re.M)


def ping_replies(path):
    """(time the request left, time its reply arrived) per reply, from
    ping -D: the arrival time, minus the round trip time it prints"""
    with open(path) as f:
        return [(float(t) - float(rtt) / 1e3, float(t))
                for t, rtt in PING_REPLY.findall(f.read())]


def trace_to_real(events):
    """the offset from trace time to the epoch: the marker failover_gap.sh
    writes just before failing the adapter carries the epoch time"""
    for e in events:
        if e["name"] == "tracing_mark_write" and e["rest"].startswith("bench_sync "):
            return float(e["rest"].split()[1]) - e["ts"]
    return None


def gap_run(raw, sub, row):
    """the longest silence between replies from the last reply before the
    failure instant (from the trace) to the end of the run; for a run where
    nothing fails (the floor), the same from the would-be instant"""
    system, how, rep, t0, t1, dev = row
    t0, t1 = float(t0), float(t1)
    base = os.path.join(raw, sub, f"{system}-{how}-{rep}")
    ts = [t for _, t in ping_replies(base + ".ping")]
    events = read_trace(base + ".trace")
    run = {"system": system, "how": how, "rep": int(rep), "dev": dev}
    fail = t0
    if how != "none":
        start, offset = failure_start(events, how, dev), trace_to_real(events)
        if start is not None and offset is not None:
            fail = start + offset
        run["fail_after_ip_ms"] = (fail - t0) * 1e3
        run["ktime"] = ktime_run(events, system, how, dev)
        if start is not None and how == "cable-event":
            run["ktime"]["link_event_before_ms"] = link_event_before(events, start)
    before = [t for t in ts if t <= fail]
    after = [t for t in ts if fail < t <= t1]
    run["returned"] = bool(after)
    seq = before[-1:] + after + [t1]
    run["gap_ms"] = max(b - a for a, b in zip(seq, seq[1:])) * 1e3 if before else None
    return run


def tcp_result(raw, sub, system):
    """A system's TCP streams, one per round (a JSON line each): intact
    when every one is, their bytes summed, the first error."""
    try:
        with open(os.path.join(raw, sub, f"{system}.tcp")) as f:
            rounds = [json.loads(line) for line in f if line.startswith("{")]
        if not rounds:
            raise ValueError
        out = {"rounds": len(rounds),
               "sent": sum(r.get("sent") or 0 for r in rounds),
               "received": sum(r.get("received") or 0 for r in rounds),
               "error": next((r["error"] for r in rounds if r.get("error")), None)}
        out["ok"] = out["error"] is None and all(
            r.get("received") == r.get("sent") for r in rounds)
        return out
    except (OSError, ValueError, KeyError):
        return {"ok": False, "error": "no result"}


def gaps(raw, sub):
    """the gap runs of one topology: gap (veth and a bridge), nicgap
    (virtio-net NICs on a qemu hub)"""
    runs = [gap_run(raw, sub, row) for row in read_tsv(os.path.join(raw, sub, "runs.tsv"))
            if len(row) == 6]
    out = {"runs": runs, "by": {}, "tcp": {}}
    for r in runs:
        out["by"].setdefault(f"{r['system']}/{r['how']}", []).append(r)
        out["tcp"].setdefault(r["system"], tcp_result(raw, sub, r["system"]))
    out["summary"] = {}
    for key, rs in out["by"].items():
        s = {"gap_ms": summary([r["gap_ms"] for r in rs]),
             "never_returned": sum(not r.get("returned", True) for r in rs)}
        for k in ("total_ms", "delivery_ms", "own_ms", "notifier_ms", "event_ms",
                  "link_event_before_ms"):
            s[k] = summary([(r.get("ktime") or {}).get(k) for r in rs])
        s["detectors"] = sorted({(r.get("ktime") or {}).get("detector") or "?" for r in rs
                                 if r["how"] != "none"})
        out["summary"][key] = s
    return out


# ---------------------------------------------------------------- ARP rate

def arp(raw, hz):
    runs = []
    for row in read_tsv(os.path.join(raw, "arp", "runs.tsv")):
        label, nvips, rep, a, b = row
        a, b = [float(x) for x in a.split()], [float(x) for x in b.split()]
        dt = b[0] - a[0]
        sent, replies = b[1] - a[1], b[2] - a[2]
        cpu = [(y - x) / hz for x, y in zip(a[3:], b[3:])]
        # /proc/stat: user nice system idle iowait irq softirq steal ...
        busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]
        runs.append({"label": label, "vips": int(nvips), "rep": int(rep),
                     "seconds": dt, "sent_per_s": sent / dt,
                     "replies_per_s": replies / dt,
                     "busy_cpus": busy / dt, "softirq_cpus": cpu[6] / dt,
                     "cpu_us_per_request": busy / sent * 1e6 if sent else None,
                     "cpu_us_per_reply": busy / replies * 1e6 if replies else None})
    by = {}
    for r in runs:
        by.setdefault(f"{r['label']}/{r['vips']}", []).append(r)
    summ = {k: {m: summary([r[m] for r in rs]) for m in
                ("sent_per_s", "replies_per_s", "busy_cpus", "softirq_cpus",
                 "cpu_us_per_request", "cpu_us_per_reply")}
            for k, rs in by.items()}
    return {"runs": runs, "summary": summ}


# ---------------------------------------------------------------- fan-out

def fanout(raw, sub):
    """the fan-out runs of one family: fanout (gratuitous ARPs), fanout6
    (unsolicited NAs)"""
    runs = []
    for row in read_tsv(os.path.join(raw, sub, "runs.tsv")):
        if row[0] not in ("carrier-loss", "admin-down"):
            continue
        how, rep, nvips = row[0], int(row[1]), int(row[2])
        k = (len(row) - 3) // 2
        before, after = [int(x) for x in row[3:3 + k]], [int(x) for x in row[3 + k:]]
        d = [y - x for x, y in zip(before, after)] + [None] * (7 - k)
        ev = read_trace(os.path.join(raw, sub, f"fanout-{how}-{rep}.trace"))
        start = failure_start(ev, how, "a1")
        notifier = None
        for i, e in enumerate(ev):
            if (e["name"] == "vipfo_event" and e.get("dev") == "a1" and
                    int(e.get("ev", -1)) == want_event(how)):
                ret = next_ret(ev, i, "vipfo_event_ret")
                notifier = (ret["ts"] - e["ts"]) * 1e3 if ret else None
                break
        frames = [e["ts"] for e in ev if e["name"] == "net_dev_start_xmit"
                  and e["dev"] in ("a2", "a3") and start is not None
                  and e["ts"] >= start]
        per_round = nvips * 2
        ms = lambda t: (t - start) * 1e3 if start is not None and t else None
        runs.append({
            "how": how, "rep": rep, "vips": nvips, "expected": nvips * 2 * 3,
            "announced": d[0], "tx_errors": d[1], "switch_rx": d[2] + d[3],
            "client_rx": d[4], "traced_frames": len(frames),
            "driver_dropped": d[5] + d[6] if d[5] is not None else None,
            "notifier_ms": notifier,
            "first_frame_ms": ms(frames[0]) if frames else None,
            "first_round_ms": ms(frames[per_round - 1]) if len(frames) >= per_round else None,
        })
    keys = ("announced", "tx_errors", "switch_rx", "client_rx", "traced_frames", "driver_dropped",
            "notifier_ms", "first_frame_ms", "first_round_ms")
    try:
        backlog = open(os.path.join(raw, sub, "netdev_max_backlog")).read().strip()
    except OSError:
        backlog = None
    try:
        qdisc = open(os.path.join(raw, sub, "qdisc")).read().strip()
    except OSError:
        qdisc = "noqueue"
    return {"runs": runs, "netdev_max_backlog": backlog, "qdisc": qdisc,
            "summary": {how: {k: summary([r[k] for r in runs if r["how"] == how])
                              for k in keys}
                        for how in sorted({r["how"] for r in runs})}}


# ---------------------------------------------------------------- config

def meminfo(path):
    m, slab = {}, None
    for line in open(path):
        f = line.split()
        if f[0] == "vipfo_vip":
            # name active_objs num_objs objsize objperslab pagesperslab ...
            # slabdata active_slabs num_slabs sharedavail
            slab = {"active_objs": int(f[1]), "objsize": int(f[3]),
                    "pages": int(f[14]) * int(f[5])}
        else:
            m[f[0].rstrip(":")] = int(f[1]) * 1024
    return m, slab


def memory(raw, prefix, nvips):
    """kernel memory per VIP from the mem-* (IPv4) or mem6-* (IPv6)
    snapshots taken before and after adding nvips VIPs"""
    mem = []
    for b in sorted(glob.glob(os.path.join(raw, "config", f"{prefix}-*-before"))):
        a = b[:-len("before")] + "after"
        if not os.path.exists(a) or not nvips:
            continue
        (mb, sb), (ma, sa) = meminfo(b), meminfo(a)
        kernel = (ma["Slab"] - mb["Slab"]) + (ma["VmallocUsed"] - mb["VmallocUsed"])
        mem.append({
            "bytes_per_vip": kernel / nvips,
            "cache_bytes_per_vip": ((sa["active_objs"] - sb["active_objs"]) * sa["objsize"] / nvips
                                    if sa and sb else None),
            "cache_objsize": sa["objsize"] if sa else None,
            "memfree_bytes_per_vip": (mb["MemFree"] - ma["MemFree"]) / nvips,
        })
    return {k: summary([m[k] for m in mem]) for k in
            ("bytes_per_vip", "cache_bytes_per_vip", "memfree_bytes_per_vip", "cache_objsize")}


def config(raw):
    rows = read_tsv(os.path.join(raw, "config", "runs.tsv"))
    by = {}
    for label, n, rep, secs, rc in rows:
        by.setdefault(f"{label}/{n}", []).append(float(secs) if rc == "0" else None)
    sizes = read_kv(os.path.join(raw, "config", "sizes.tsv"))
    nvips = int(sizes.get("nvips", 0)) or max(
        (int(n) for label, n, *_ in rows if label.startswith("vipctl-nolocal")), default=0)
    nmem = int(sizes.get("nmem", 0))
    show = {}
    for form, n, rep, secs, rss, size, rc in read_tsv(os.path.join(raw, "config", "show.tsv")):
        if rc == "0":
            r = show.setdefault(f"{form[len('show-'):]}/{n}", {"seconds": [], "rss_kb": [], "bytes": []})
            r["seconds"].append(float(secs))
            r["rss_kb"].append(int(rss))
            r["bytes"].append(int(size))
    hold = {}
    for n, rep, calls, max_ms in read_tsv(os.path.join(raw, "config", "dump.tsv")):
        r = hold.setdefault(n, {"calls": [], "max_ms": []})
        r["calls"].append(int(calls))
        r["max_ms"].append(float(max_ms) if int(calls) else None)
    return {"seconds": {k: summary(v) for k, v in by.items()}, "raw": by,
            "dump_hold": {n: {m: summary(v) for m, v in r.items()} for n, r in hold.items()},
            "show": {k: {m: summary(v) for m, v in r.items()} for k, r in show.items()},
            "memory": memory(raw, "mem", nvips), "memory6": memory(raw, "mem6", nvips),
            "nvips": nvips,
            "bigmemory": memory(raw, "bigmem", nmem), "bigmemory6": memory(raw, "bigmem6", nmem),
            "nmem": nmem}


def analyze(raw):
    guest = read_kv(os.path.join(raw, "guest.tsv"))
    hz = int(guest.get("hz", 100))
    return {"host": read_kv(os.path.join(raw, "host.tsv")), "guest": guest,
            "steps": read_tsv(os.path.join(raw, "steps.tsv")),
            "gap": gaps(raw, "gap"), "nicgap": gaps(raw, "nicgap"),
            "gap6": gaps(raw, "gap6"), "nicgap6": gaps(raw, "nicgap6"),
            "arp": arp(raw, hz),
            "fanout": fanout(raw, "fanout"), "fanout6": fanout(raw, "fanout6"),
            "config": config(raw)}


if __name__ == "__main__":
    json.dump(analyze(sys.argv[1]), sys.stdout, indent=1)
