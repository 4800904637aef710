#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Neighbour discovery input fuzzing for the vipfo selftests (IPv6's twin
of arp_fuzz.py; Debian's /usr/bin/python3).

Runs in the client namespace: sends --count frames on --iface (onto the
switch), seeded, one class at a time picked at random, and watches what
the server sends from the switch's side: every frame entering the switch
on a port of the server (--ports PORT=MAC,... in --switch-netns), each on
the port of the adapter it leaves.

Every frame has an Ethernet source and an IPv6 source of its own (a
solicitor 2001:db8::f:0:N), so each answer names its solicitation. The
rules, per neighbour advertisement the server sends:

  - it is for a VIP, from the VIP, hop limit 255, Override set, with the
    MAC of the adapter whose port it entered as Ethernet source and in a
    target link-layer option, Router clear;
  - to all nodes (33:33:00:00:00:01, ff02::1), Solicited clear: an
    announcement (another host's claim, from the classes "na-claim" and
    "ns-claim", is answered so);
  - else Solicited set, to a solicitation of ours that may be answered:
    IPv6 destination = its source, Ethernet destination = its Ethernet
    source, target = its target; at most one per adapter and
    solicitation.

Solicitations of the classes "valid", "valid-unicast", "valid-padded" must
be answered by every member exactly once; "no-slla" (no source link-layer
option: valid, RFC 4861 7.1.1) and "ext-hdr" (a hop-by-hop header before
the ICMPv6 one) may be. Every other class must get no solicited answer:
what the kernel's ndisc drops as invalid (hop limit, checksum, code,
multicast target, option lengths, truncated, a DAD probe not to the
solicited-node group or with an option, a length that lies), what is not
ours (no VIP, VLAN-tagged, our members' MACs), advertisements, garbage.

Frames are built with struct: scapy takes some 25 ms a frame under
software emulation. Prints one line per finding and a summary; exit 1
with findings.
"""

import argparse
import ctypes
import ipaddress
import os
import random
import socket
import struct
import sys
import threading
import time

from frames import checksum6

ETH_P_ALL = 0x0003
ETH_P_IPV6 = 0x86dd
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
CLONE_NEWNET = 0x40000000
ALL_NODES = "ff02::1"
ALL_NODES_MAC = "33:33:00:00:00:01"
NS, NA = 135, 136

# class: (weight, answers: "all" | "any" | "none")
CLASSES = {
    "valid": (10, "all"),
    "valid-unicast": (3, "all"),
    "valid-padded": (3, "all"),
    "no-slla": (2, "any"),
    "ext-hdr": (2, "any"),
    "hlim": (5, "none"),
    "cksum": (5, "none"),
    "code": (4, "none"),
    "target-mcast": (3, "none"),
    "optlen-0": (4, "none"),
    "opt-overrun": (4, "none"),
    "slla-len": (3, "none"),
    "truncated": (6, "none"),
    "plen-lies": (3, "none"),
    "dad-bad": (4, "none"),
    "own-slla": (4, "none"),
    "own-src": (2, "none"),
    "target-not-vip": (4, "none"),
    "vlan": (3, "none"),
    "na-claim": (3, "none"),
    "ns-claim": (1, "none"),
    "na-bad": (3, "none"),
    "garbage": (6, "none"),
}


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def mac_bytes(s):
    return bytes.fromhex(s.replace(":", ""))


def ip6(s):
    return ipaddress.IPv6Address(s).packed


def solicited_node(target):
    low = ip6(target)[13:]
    return (str(ipaddress.IPv6Address(b"\xff\x02" + b"\0" * 9 + b"\x01\xff" +
                                      low)),
            "33:33:ff:" + mac_str(low))


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


class Capture:
    """Frames entering the switch from the server's ports."""

    def __init__(self, netns, ports):
        self_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        try:
            setns(netns)
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(ETH_P_ALL))
        finally:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(self_fd, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns back")
            os.close(self_fd)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        self.sock.settimeout(0.2)
        self.ports = set(ports)
        self.frames = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] != PACKET_OUTGOING and addr[0] in self.ports:
                self.frames.append((addr[0], data))

    def finish(self):
        self.stop = True
        self.thread.join()
        _, drops = struct.unpack("II", self.sock.getsockopt(
            SOL_PACKET, PACKET_STATISTICS, 8))
        return self.frames, drops


class Advert:
    """The fields of a neighbour advertisement the server sent, or None."""

    @staticmethod
    def parse(data):
        if len(data) < 14 + 40 + 24 or data[12:14] != b"\x86\xdd":
            return None
        a = Advert()
        a.dst, a.src = mac_str(data[0:6]), mac_str(data[6:12])
        ip = data[14:54]
        if ip[6] != 58 or data[54] != NA:
            return None
        a.hlim = ip[7]
        a.saddr = str(ipaddress.IPv6Address(ip[8:24]))
        a.daddr = str(ipaddress.IPv6Address(ip[24:40]))
        flags = data[58]
        a.r, a.s, a.o = bool(flags & 0x80), bool(flags & 0x40), bool(flags & 0x20)
        a.target = str(ipaddress.IPv6Address(data[62:78]))
        a.tlla = None
        opts = data[78:14 + 40 + struct.unpack(">H", ip[4:6])[0]]
        while len(opts) >= 8 and opts[1]:
            if opts[0] == 2 and opts[1] == 1:
                a.tlla = mac_str(opts[2:8])
            opts = opts[opts[1] * 8:]
        return a

    def __str__(self):
        return (f"NA {self.target} tlla {self.tlla} "
                f"{'R' if self.r else ''}{'S' if self.s else ''}"
                f"{'O' if self.o else ''} {self.saddr} -> {self.daddr} "
                f"hlim {self.hlim} (eth {self.src} -> {self.dst})")


class Fuzzer:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.vips = args.vips.split(",")
        self.ports = dict(p.split("=") for p in args.ports.split(","))
        self.members = sorted(set(self.ports.values()))
        self.my_mac = open(f"/sys/class/net/{args.iface}/address").read().strip()
        self.sent = {}          # solicitor address -> (class, eth src, target, index)
        self.counts = {}
        self.serial = 0

    def frame(self, cls):
        """Bytes of one frame of class cls; registers what it asks."""
        r = self.rng
        self.serial += 1
        n = self.serial
        src_mac = mac_str(b"\x02\xf6" + struct.pack(">I", n))
        saddr = f"2001:db8::f:0:{n >> 16:x}:{n & 0xffff:x}"
        target = r.choice(self.vips)
        member = r.choice(self.members)
        group, group_mac = solicited_node(target)
        eth_dst, daddr = group_mac, group
        hlim, code, icmp_type = 255, 0, NS
        slla = src_mac
        opt_len = 1
        tags = b""
        ext = b""
        trailer = b""
        cut = None
        plen_extra = 0
        bad_cksum = False
        body = None
        kind = None

        if cls == "valid-unicast":
            eth_dst, daddr = member, target
        elif cls == "valid-padded":
            trailer = r.randbytes(r.randint(1, 200))
        elif cls == "no-slla":
            slla = None
        elif cls == "ext-hdr":
            ext = bytes([58, 0, 1, 4, 0, 0, 0, 0])      # hop-by-hop, PadN
        elif cls == "hlim":
            hlim = r.choice([0, 1, 64, 128, 254])
        elif cls == "cksum":
            bad_cksum = True
        elif cls == "code":
            code = r.randint(1, 255)
        elif cls == "target-mcast":
            target = r.choice(["ff02::1", "ff02::1:ff00:100", "ff05::2"])
        elif cls == "optlen-0":
            opt_len = 0
        elif cls == "opt-overrun":
            opt_len = r.choice([2, 3, 255])
        elif cls == "slla-len":
            opt_len = 2         # and 16 bytes long (below)
        elif cls == "truncated":
            cut = r.randint(0, 23)
        elif cls == "plen-lies":
            plen_extra = r.choice([-4, 1, 8, 100])
        elif cls == "dad-bad":
            saddr = "::"
            if r.random() < 0.5:
                daddr, eth_dst = ALL_NODES, ALL_NODES_MAC
                slla = None
            # else: to the solicited-node group, with an option
        elif cls == "own-slla":
            slla = member
        elif cls == "own-src":
            src_mac = member
            slla = r.choice([member, mac_str(b"\x02\xf7" + struct.pack(">I", n))])
        elif cls == "target-not-vip":
            target = r.choice(["2001:db8::1", "2001:db8::150", "2001:db8::200",
                               "2001:db8:1::100", "::1", "fe80::1"])
            group, group_mac = solicited_node(target)
            eth_dst, daddr = group_mac, group
        elif cls == "vlan":
            tags = struct.pack(">HH", 0x8100, r.randint(1, 4094))
        elif cls == "na-claim":
            icmp_type = NA
            daddr, eth_dst = ALL_NODES, ALL_NODES_MAC
        elif cls == "ns-claim":
            # another host's DAD probe for a VIP: announced, not answered
            # (the answers to it go to all nodes)
            saddr, slla = "::", None
        elif cls == "na-bad":
            icmp_type = NA
            daddr, eth_dst = ALL_NODES, ALL_NODES_MAC
            kind = r.choice(["solicited-mcast", "hlim", "optlen-0"])
            if kind == "hlim":
                hlim = 64
            elif kind == "optlen-0":
                opt_len = 0
        elif cls == "garbage":
            body = r.randbytes(r.randint(0, 80))

        if body is None:
            if icmp_type == NS:
                msg = struct.pack(">BBHI", NS, code, 0, 0) + ip6(target)
                opt_type = 1
            else:
                flags = 0x20 | (0x40 if cls == "na-bad" and
                                kind == "solicited-mcast" else 0)
                msg = struct.pack(">BBHB3x", NA, code, 0, flags) + ip6(target)
                opt_type = 2
                slla = src_mac
            if slla is not None:
                opt = bytes([opt_type, opt_len]) + mac_bytes(slla)
                if cls == "slla-len":
                    opt += b"\0" * 8
                msg += opt
            if cut is not None:
                msg = msg[:cut]
            ck = checksum6(ip6(saddr), ip6(daddr), 58, msg)
            if bad_cksum:
                ck ^= 0x5555
            if len(msg) >= 4:
                msg = msg[:2] + struct.pack(">H", ck) + msg[4:]
            body = msg
        payload = ext + body
        nxt = 0 if ext else 58
        ip = struct.pack(">IHBB", 6 << 28, len(payload) + plen_extra, nxt,
                         hlim) + ip6(saddr) + ip6(daddr)
        raw = (mac_bytes(eth_dst) + mac_bytes(src_mac) + tags +
               struct.pack(">H", ETH_P_IPV6) + ip + payload + trailer)
        self.sent[saddr] = (cls, src_mac, target, n)
        self.counts[cls] = self.counts.get(cls, 0) + 1
        return raw


def judge(fz, frames):
    findings = []
    answers = {}        # solicitor -> {member MAC: n}
    announcements = other = 0
    for port, data in frames:
        a = Advert.parse(data)
        if a is None:
            other += 1
            continue
        mac = fz.ports[port]
        desc = f"{a} on {port} ({mac})"
        if (a.target not in fz.vips or a.saddr != a.target or a.hlim != 255 or
                not a.o or a.r or a.src != mac or a.tlla != mac):
            findings.append(f"malformed advertisement: {desc}")
            continue
        if a.daddr == ALL_NODES:
            announcements += 1
            if a.dst != ALL_NODES_MAC or a.s:
                findings.append(f"malformed announcement: {desc}")
            continue
        req = fz.sent.get(a.daddr)
        if req is None:
            findings.append(f"answer to no solicitation of ours: {desc}")
            continue
        cls, src_mac, target, idx = req
        if CLASSES[cls][1] == "none":
            findings.append(f"answer to a {cls} frame (#{idx}): {desc}")
        elif not a.s or a.dst != src_mac or a.target != target:
            findings.append(f"malformed answer to a {cls} frame (#{idx}): {desc}")
        per = answers.setdefault(a.daddr, {})
        per[mac] = per.get(mac, 0) + 1
        if per[mac] == 2:
            findings.append(f"{mac} answered a {cls} frame (#{idx}) twice")
    for saddr, (cls, _, _, idx) in fz.sent.items():
        if CLASSES[cls][1] != "all":
            continue
        got = answers.get(saddr, {})
        missing = [m for m in fz.members if m not in got]
        if missing:
            findings.append(f"{cls} frame #{idx} not answered by "
                            f"{', '.join(missing)}")
    return findings, announcements, other


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--vips", required=True, help="VIP,VIP...")
    ap.add_argument("--ports", required=True,
                    help="PORT=MAC,...: the switch ports of the server's "
                         "member adapters and their MACs")
    ap.add_argument("--switch-netns", required=True, help="/run/netns/NAME")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--gap", type=float, default=0.002,
                    help="seconds between frames")
    ap.add_argument("--settle", type=float, default=3.0,
                    help="seconds to listen after the last frame")
    args = ap.parse_args()

    fz = Fuzzer(args)
    fz.vips = [str(ipaddress.IPv6Address(v)) for v in fz.vips]
    cap = Capture(args.switch_netns, list(fz.ports))
    out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    out.bind((args.iface, 0))

    names = list(CLASSES)
    weights = [CLASSES[c][0] for c in names]
    start = time.monotonic()
    for _ in range(args.count):
        cls = fz.rng.choices(names, weights)[0]
        try:
            out.send(fz.frame(cls))
        except OSError as e:
            key = f"{cls} (not sent: {e.strerror})"
            fz.counts[key] = fz.counts.get(key, 0) + 1
        time.sleep(args.gap)
    sent_secs = time.monotonic() - start
    time.sleep(args.settle)
    frames, drops = cap.finish()

    findings, announcements, other = judge(fz, frames)
    if drops:
        findings.insert(0, f"the capture lost {drops} frames: cannot judge")
    for f in findings[:50]:
        print(f)
    if len(findings) > 50:
        print(f"... and {len(findings) - 50} more findings")
    print(f"# sent {args.count} frames in {sent_secs:.1f} s: " +
          ", ".join(f"{k} {v}" for k, v in sorted(fz.counts.items())))
    print(f"# from the server: {len(frames)} frames, {announcements} "
          f"announcements, {other} other than advertisements")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
