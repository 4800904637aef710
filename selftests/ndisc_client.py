#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Neighbour discovery client of the vipfo selftests (IPv6's twin of
arp_client.py; run with Debian's /usr/bin/python3).

solicit:   send one neighbour solicitation per target (--inter seconds
           apart), as a Linux host would: from --src to the target's
           solicited-node group, hop limit 255, the Ethernet source in a
           source link-layer address option. --dad makes it a duplicate
           address detection probe (source ::, no option); --slla,
           --no-slla, --eth-src forge the addresses; --hlim, --code,
           --bad-cksum, --optlen 0 make it invalid. Prints every neighbour
           advertisement for a target that arrives within --window
           seconds, in order of arrival (see FORMAT).
advertise: send --count neighbour advertisements for --target (--inter
           seconds apart): unsolicited, Override set, to all nodes, from
           --mac (Ethernet source and target link-layer option). Prints
           nothing.
resolve:   solicit --target --count times, --inter seconds apart, and print
           one line per solicitation with the advertisements for it that
           arrived before the next one: <number> <advertisements> <target
           link-layer address,...>; then a line "answered <solicitations
           answered> of <solicitations>". Raw sockets, not scapy: it must
           keep pace beside a flood.
capture:   record every neighbour advertisement seen until --window
           seconds after the first one (--max seconds when none comes);
           --targets limits it to those.
collect:   print what the capture recorded (see FORMAT).
serve:     read such commands from stdin, one per line, and end the output
           of each with a line ".". Loading scapy once per test instead of
           once per command saves seconds each under software emulation.

FORMAT, one line per advertisement:
    <eth src> <eth dst> <ip src> <ip dst> <target> <target link-layer
    option or -> <flags: R S O or -> <hop limit> <interface> <arrival
    time, seconds since the epoch>
"""

import argparse
import ipaddress
import shlex
import sys
import threading
import time

from scapy.config import conf
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                                IPv6)
from scapy.layers.l2 import Ether
from scapy.sendrecv import AsyncSniffer, sendp

from frames import ns
from resolver import raw_socket, resolve

conf.verb = 0
ALL_NODES = "ff02::1"
ALL_NODES_MAC = "33:33:00:00:00:01"


def start_sniffer(ifaces, lfilter):
    ready = threading.Event()
    sniffer = AsyncSniffer(iface=ifaces if len(ifaces) > 1 else ifaces[0],
                           lfilter=lfilter, store=True,
                           started_callback=ready.set)
    sniffer.start()
    if not ready.wait(60):
        raise RuntimeError("sniffer did not start")
    return sniffer


def stop_sniffer(sniffer):
    sniffer.stop()
    return sniffer.results or []


def iface_mac(iface):
    with open(f"/sys/class/net/{iface}/address") as f:
        return f.read().strip()


def solicited_node(target):
    """The solicited-node group of target and its multicast MAC."""
    low = ipaddress.IPv6Address(target).packed[13:]
    group = ipaddress.IPv6Address(b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + low)
    return str(group), "33:33:ff:" + ":".join(f"{b:02x}" for b in low)


def na_line(p):
    na = p[ICMPv6ND_NA]
    tlla = p[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in p else "-"
    flags = "".join(f for f, on in (("R", na.R), ("S", na.S), ("O", na.O))
                    if on) or "-"
    return " ".join(str(x) for x in (
        p[Ether].src, p[Ether].dst, p[IPv6].src, p[IPv6].dst, na.tgt, tlla,
        flags, p[IPv6].hlim, getattr(p, "sniffed_on", None) or "?",
        f"{float(p.time):.6f}"))


def is_na_for(targets):
    def match(p):
        return ICMPv6ND_NA in p and (
            not targets or ipaddress.IPv6Address(p[ICMPv6ND_NA].tgt) in targets)
    return match


def normalized(addrs):
    """As addresses, not strings: scapy writes ::ffff:192.0.2.1 where
    Python 3.11's ipaddress writes ::ffff:c000:201."""
    return {ipaddress.IPv6Address(a) for a in addrs}


def solicitation(args, target):
    eth_src = args.eth_src or iface_mac(args.iface)
    group, group_mac = solicited_node(target)
    src = "::" if args.dad else args.src
    dst = args.dst or group
    eth_dst = args.eth_dst or group_mac
    ns = ICMPv6ND_NS(tgt=target, code=args.code)
    if not args.no_slla and (args.slla or not args.dad):
        opt = ICMPv6NDOptSrcLLAddr(lladdr=args.slla or eth_src)
        if args.optlen is not None:
            opt.len = args.optlen
        ns = ns / opt
    frame = (Ether(src=eth_src, dst=eth_dst) /
             IPv6(src=src, dst=dst, hlim=args.hlim) / ns)
    if args.bad_cksum:
        good = Ether(bytes(frame))[ICMPv6ND_NS].cksum
        frame[ICMPv6ND_NS].cksum = good ^ 0x5555
    return frame


def cmd_solicit(args):
    targets = args.target.split(",")
    listen = args.listen.split(",") if args.listen else [args.iface]
    sniffer = start_sniffer(listen, is_na_for(normalized(targets)))
    # One sendp() for all: each call opens a socket.
    sendp([solicitation(args, t) for t in targets], iface=args.iface,
          inter=args.inter)
    time.sleep(args.window)
    for p in stop_sniffer(sniffer):
        print(na_line(p))


def cmd_advertise(args):
    mac = args.mac or iface_mac(args.iface)
    frame = (Ether(src=mac, dst=ALL_NODES_MAC) /
             IPv6(src=args.src, dst=ALL_NODES, hlim=255) /
             ICMPv6ND_NA(tgt=args.target, R=0, S=0, O=1) /
             ICMPv6NDOptDstLLAddr(lladdr=mac))
    sendp([frame] * args.count, iface=args.iface, inter=args.inter)


ETH_P_IPV6 = 0x86dd
# Classic BPF on an ETH_P_IPV6 socket: ICMPv6 (next header at 20) neighbour
# advertisements (type at 54) only.
NA_FILTER = [(0x30, 0, 0, 20), (0x15, 0, 3, 58), (0x30, 0, 0, 54),
             (0x15, 0, 1, 136), (0x06, 0, 0, 0xffff), (0x06, 0, 0, 0)]


def cmd_resolve(args):
    sip = ipaddress.IPv6Address(args.src).packed
    tip = ipaddress.IPv6Address(args.target).packed
    sock = raw_socket(args.iface, ETH_P_IPV6, NA_FILTER)
    request = ns(iface_mac(args.iface), args.src, args.target)

    def answer(data):
        # To us, for the target: its target link-layer option (type 2,
        # first, as vipfo and Linux send it)
        if len(data) >= 78 and data[38:54] == sip and data[62:78] == tip:
            tlla = data[80:86] if len(data) >= 86 and data[78] == 2 else b""
            return ":".join(f"{b:02x}" for b in tlla) or "?"
        return None

    resolve(sock, request, args.count, args.inter, answer)


class Capture:
    """Advertisements seen from start until window after the first."""

    def __init__(self, args):
        self.args = args
        self.first = None
        self.start = time.monotonic()
        self.match = is_na_for(normalized(args.targets.split(","))
                               if args.targets else set())
        self.sniffer = start_sniffer(args.iface.split(","), self.is_na)

    def is_na(self, p):
        hit = self.match(p)
        if hit and self.first is None:
            self.first = time.monotonic()
        return hit

    def collect(self):
        deadline = self.start + self.args.max
        while time.monotonic() < deadline:
            if self.first is not None:
                deadline = min(deadline, self.first + self.args.window)
            time.sleep(0.05)
        for p in stop_sniffer(self.sniffer):
            print(na_line(p))


def cmd_serve(parser):
    cap = None
    for line in sys.stdin:
        try:
            args = parser.parse_args(shlex.split(line))
            if args.cmd == "capture":
                cap = Capture(args)
            elif args.cmd == "collect":
                if cap:
                    cap.collect()
                cap = None
            elif args.cmd == "solicit":
                cmd_solicit(args)
            elif args.cmd == "advertise":
                cmd_advertise(args)
        except SystemExit:
            print(f"ndisc_client: bad command: {line.strip()}")
        except Exception as e:  # report, keep serving
            print(f"ndisc_client: {line.strip()}: {e}")
        print(".", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    so = sub.add_parser("solicit", help="send NS, print the NAs received")
    so.add_argument("--iface", required=True, help="interface to send on")
    so.add_argument("--target", required=True, help="IP[,IP...] to ask for")
    so.add_argument("--src", default="2001:db8::1", help="IPv6 source")
    so.add_argument("--dst", help="IPv6 destination (default: the "
                    "target's solicited-node group)")
    so.add_argument("--eth-src", help="Ethernet source (default: the iface's)")
    so.add_argument("--eth-dst", help="Ethernet destination (default: the "
                    "solicited-node group's)")
    so.add_argument("--slla", help="source link-layer option (default: the "
                    "Ethernet source)")
    so.add_argument("--no-slla", action="store_true",
                    help="no source link-layer option")
    so.add_argument("--dad", action="store_true",
                    help="a DAD probe: source ::, no option")
    so.add_argument("--hlim", type=int, default=255, help="hop limit")
    so.add_argument("--code", type=int, default=0, help="ICMPv6 code")
    so.add_argument("--bad-cksum", action="store_true",
                    help="a wrong ICMPv6 checksum")
    so.add_argument("--optlen", type=int,
                    help="length field of the option (units of 8 bytes)")
    so.add_argument("--inter", type=float, default=0.0,
                    help="seconds between two frames sent")
    so.add_argument("--listen", help="IF[,IF...] to collect NAs on")
    so.add_argument("--window", type=float, default=1.0,
                    help="seconds to collect NAs")

    ad = sub.add_parser("advertise", help="send unsolicited NAs")
    ad.add_argument("--iface", required=True)
    ad.add_argument("--target", required=True, help="the address claimed")
    ad.add_argument("--src", required=True, help="IPv6 source")
    ad.add_argument("--mac", help="Ethernet source and target link-layer "
                    "option (default: the iface's)")
    ad.add_argument("--count", type=int, default=1)
    ad.add_argument("--inter", type=float, default=0.0,
                    help="seconds between two frames sent")

    rs = sub.add_parser("resolve", help="solicit again and again, count the NAs")
    rs.add_argument("--iface", required=True)
    rs.add_argument("--target", required=True)
    rs.add_argument("--src", default="2001:db8::1", help="IPv6 source")
    rs.add_argument("--count", type=int, default=10)
    rs.add_argument("--inter", type=float, default=0.2,
                    help="seconds between two solicitations")

    cp = sub.add_parser("capture", help="record the NAs seen")
    cp.add_argument("--iface", required=True, help="IF[,IF...]")
    cp.add_argument("--targets", help="IP[,IP...]: only NAs for those")
    cp.add_argument("--window", type=float, default=3.0,
                    help="seconds to listen after the first one")
    cp.add_argument("--max", type=float, default=20.0,
                    help="seconds to listen at most")

    sub.add_parser("collect", help="print the capture's results")
    sub.add_parser("serve", help="run commands read from stdin")

    args = ap.parse_args()
    if args.cmd == "serve":
        cmd_serve(ap)
    elif args.cmd == "solicit":
        cmd_solicit(args)
    elif args.cmd == "advertise":
        cmd_advertise(args)
    elif args.cmd == "resolve":
        cmd_resolve(args)
    elif args.cmd == "capture":
        cap = Capture(args)
        cap.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
