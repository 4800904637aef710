#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ARP client for the vipfo selftests (run with Debian's /usr/bin/python3).

request: send one ARP request per target, as a Linux client would (or
         spoofed with --src-mac/--src-ip/--gratuitous, with an Ethernet
         source other than the sender MAC with --eth-src, or as a reply
         with --op reply; --inter seconds apart), and print every ARP reply
         for a target that arrives within --window seconds, in order of
         arrival:
             <sender MAC> <sender IP> <ethernet source> <interface>
             <target MAC> <target IP> <ethernet destination>
capture: print every gratuitous ARP (sender IP == target IP) seen until
         --window seconds after the first one (--max seconds when none
         comes), in order of arrival:
             <sender MAC> <sender IP> <ethernet source> <ethernet dest> <op>
             <arrival time, seconds since the epoch>
         --ready FILE is created once the capture listens.
resolve: ask for --target --count times, --inter seconds apart, and print
         one line per request with the replies that arrived before the
         next one: <number> <replies> <sender MAC,...>; then a line
         "answered <requests answered> of <requests>". Raw sockets, not
         scapy: it must keep pace beside a flood.
serve:   read such commands from stdin, one per line, and end the output
         of each with a line ".". There, "capture" returns at once, once
         listening, and a later "collect" prints what it saw. Loading
         scapy once per test instead of once per request saves seconds
         each under software emulation.
"""

import argparse
import shlex
import socket
import struct
import sys
import threading
import time

from scapy.config import conf
from scapy.layers.l2 import ARP, Ether
from scapy.sendrecv import AsyncSniffer, sendp

from resolver import raw_socket, resolve

conf.verb = 0


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


def cmd_request(args):
    targets = args.target.split(",")
    src_mac = args.src_mac or iface_mac(args.iface)
    listen = args.listen.split(",") if args.listen else [args.iface]

    def is_reply(p):
        return ARP in p and p[ARP].op == 2 and p[ARP].psrc in targets

    sniffer = start_sniffer(listen, is_reply)
    # One sendp() for all: each call opens a socket, which takes long
    # enough under software emulation to stretch --inter past a second.
    sendp([Ether(src=args.eth_src or src_mac, dst="ff:ff:ff:ff:ff:ff") /
           ARP(op=2 if args.op == "reply" else 1, hwsrc=src_mac,
               psrc=target if args.gratuitous else args.src_ip,
               hwdst="00:00:00:00:00:00", pdst=target)
           for target in targets], iface=args.iface, inter=args.inter)
    time.sleep(args.window)
    for p in stop_sniffer(sniffer):
        print(p[ARP].hwsrc, p[ARP].psrc, p[Ether].src,
              getattr(p, "sniffed_on", None) or "?",
              p[ARP].hwdst, p[ARP].pdst, p[Ether].dst)


ETH_P_ARP = 0x0806
# Classic BPF on an ETH_P_ARP socket: ARP replies only (op at offset 20).
ARP_REPLY_FILTER = [(0x28, 0, 0, 20), (0x15, 0, 1, 2),
                    (0x06, 0, 0, 0xffff), (0x06, 0, 0, 0)]


def cmd_resolve(args):
    mac = bytes.fromhex(iface_mac(args.iface).replace(":", ""))
    sip = socket.inet_aton(args.src_ip)
    tip = socket.inet_aton(args.target)
    sock = raw_socket(args.iface, ETH_P_ARP, ARP_REPLY_FILTER)
    request = (b"\xff" * 6 + mac + struct.pack(">HHHBBH", ETH_P_ARP, 1,
                                                0x0800, 6, 4, 1) +
               mac + sip + b"\0" * 6 + tip).ljust(60, b"\0")

    def answer(data):
        # a reply from the target to us: its sender MAC
        if len(data) >= 42 and data[28:32] == tip and data[38:42] == sip:
            return ":".join(f"{b:02x}" for b in data[22:28])
        return None

    resolve(sock, request, args.count, args.inter, answer)


class Capture:
    """Gratuitous ARPs seen from start() until window after the first."""

    def __init__(self, args):
        self.args = args
        self.first = None
        self.start = time.monotonic()
        self.sniffer = start_sniffer(args.iface.split(","), self.is_garp)

    def is_garp(self, p):
        garp = ARP in p and p[ARP].psrc == p[ARP].pdst
        if garp and self.first is None:
            self.first = time.monotonic()
        return garp

    def collect(self):
        deadline = self.start + self.args.max
        while time.monotonic() < deadline:
            if self.first is not None:
                deadline = min(deadline, self.first + self.args.window)
            time.sleep(0.05)
        for p in stop_sniffer(self.sniffer):
            print(p[ARP].hwsrc, p[ARP].psrc, p[Ether].src, p[Ether].dst,
                  p[ARP].op, f"{float(p.time):.6f}")


def cmd_capture(args):
    cap = Capture(args)
    if args.ready:
        open(args.ready, "w").close()
    cap.collect()


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
            elif args.cmd == "request":
                cmd_request(args)
        except SystemExit:
            print(f"arp_client: bad command: {line.strip()}")
        except Exception as e:  # report, keep serving
            print(f"arp_client: {line.strip()}: {e}")
        print(".", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    rq = sub.add_parser("request", help="send who-has, print all replies")
    rq.add_argument("--iface", required=True, help="interface to send on")
    rq.add_argument("--target", required=True, help="IP[,IP...] to ask for")
    rq.add_argument("--src-ip", default="192.0.2.1")
    rq.add_argument("--src-mac", help="sender MAC (default: the iface's)")
    rq.add_argument("--eth-src",
                    help="Ethernet source (default: the sender MAC)")
    rq.add_argument("--gratuitous", action="store_true",
                    help="sender IP = target IP (a gratuitous ARP)")
    rq.add_argument("--op", choices=("request", "reply"), default="request",
                    help="ARP operation of the frames sent")
    rq.add_argument("--inter", type=float, default=0.0,
                    help="seconds between two frames sent")
    rq.add_argument("--listen", help="IF[,IF...] to collect replies on")
    rq.add_argument("--window", type=float, default=1.0,
                    help="seconds to collect replies")

    cp = sub.add_parser("capture", help="print gratuitous ARPs seen")
    cp.add_argument("--iface", required=True, help="IF[,IF...]")
    cp.add_argument("--window", type=float, default=3.0,
                    help="seconds to listen after the first one")
    cp.add_argument("--max", type=float, default=20.0,
                    help="seconds to listen at most")
    cp.add_argument("--ready", help="file to create once listening")

    rs = sub.add_parser("resolve", help="ask for an IP again and again")
    rs.add_argument("--iface", required=True)
    rs.add_argument("--target", required=True, help="IP to ask for")
    rs.add_argument("--src-ip", required=True)
    rs.add_argument("--count", type=int, default=10)
    rs.add_argument("--inter", type=float, default=0.2,
                    help="seconds between requests")

    sub.add_parser("collect", help="serve: print the capture's results")
    sub.add_parser("serve", help="run commands read from stdin")

    args = ap.parse_args()
    if args.cmd == "serve":
        cmd_serve(ap)
    elif args.cmd == "request":
        cmd_request(args)
    elif args.cmd == "capture":
        cmd_capture(args)
    elif args.cmd == "resolve":
        cmd_resolve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
