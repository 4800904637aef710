#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ARP input fuzzing for the vipfo selftests (Debian's /usr/bin/python3).

Runs in the client namespace: sends --count frames on --iface (onto the
switch), seeded, one class at a time picked at random, and watches what
the server sends from the switch's side: every frame entering the switch
on a port of the server (--ports PORT=MAC,... in --switch-netns), so even
replies addressed elsewhere than the client are seen, and each on the port
of the adapter it leaves.

Every frame carries an Ethernet source of its own (locally administered)
unless its class is about the sender MAC, so each reply names its
request. The rules, per frame the server sends:

  - an ARP reply must answer a request of ours that may be answered, for
    a VIP: sender IP = the VIP asked for, sender MAC = Ethernet source =
    the MAC of the adapter whose port it entered, target MAC = Ethernet
    destination = the request's Ethernet source (not its sender MAC,
    which anyone can forge: "sha-forged" names another one), target IP =
    its sender IP; at most one per adapter and request;
  - a gratuitous ARP (sender IP = target IP = a VIP) must come from a
    member with its own MAC, to broadcast (a re-announcement after a
    conflict is legitimate);
  - an ARP request from a member with a VIP as sender is the host's own
    resolution (counted);
  - nothing else in ARP.

Classes whose requests may be answered: "valid" (and its unicast, padded
and sha-forged forms) must be answered by every member exactly once; probes
(sender IP 0.0.0.0; the kernel's own arp_process answers those, RFC 5227
relies on it), priority-tagged (VLAN 0) requests, IEEE 802 hardware type 6
(the kernel accepts it on Ethernet) and odd but not martian sender IPs
(class E, a subnet's broadcast address, which vipfo cannot know) may be,
well formed. Every other class, martian sender IPs (multicast, broadcast,
loopback: the kernel's route check refuses them) among them, must get no
reply.

Frames are built and parsed with struct: scapy takes some 25 ms a frame
under software emulation (scapy's client, arp_client.py, does the checks
before and after).

Prints one line per finding and a summary; exit 1 with findings.
"""

import argparse
import ctypes
import os
import random
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
CLONE_NEWNET = 0x40000000
BCAST = "ff:ff:ff:ff:ff:ff"

# class: (weight, replies: "all" | "any" | "none")
CLASSES = {
    "valid": (10, "all"),
    "valid-unicast": (3, "all"),
    "valid-padded": (3, "all"),
    "sha-forged": (3, "all"),
    "probe": (5, "any"),
    "truncated": (10, "none"),
    "hrd": (4, "none"),
    "hrd-ieee802": (1, "any"),
    "pro": (4, "none"),
    "hln-pln": (6, "none"),
    "op": (4, "none"),
    "sha-multicast": (6, "none"),
    "src-multicast": (2, "none"),
    "own-sha": (6, "none"),
    "own-sha-vip": (2, "none"),
    "sip-vip": (3, "any"),
    "garp-vip": (4, "none"),
    "reply-vip": (4, "none"),
    "vlan": (4, "none"),
    "vlan-0": (1, "any"),
    "qinq": (1, "none"),
    "tip-not-vip": (4, "none"),
    "sip-martian": (3, "none"),
    "sip-odd": (1, "any"),
    "garbage": (8, "none"),
}


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def mac_bytes(s):
    return bytes.fromhex(s.replace(":", ""))


def eth(dst, src, etype, tags=()):
    """An Ethernet header, with VLAN tags (TPID, VID) before the type."""
    h = mac_bytes(dst) + mac_bytes(src)
    for tpid, vid in tags:
        h += struct.pack(">HH", tpid, vid)
    return h + struct.pack(">H", etype)


def arp(op, sha, sip, tip, tha="00:00:00:00:00:00", hrd=1, pro=0x0800,
        hln=6, pln=4):
    return (struct.pack(">HHBBH", hrd, pro, hln, pln, op) + mac_bytes(sha) +
            socket.inet_aton(sip) + mac_bytes(tha) + socket.inet_aton(tip))


class Frame:
    """The fields of an ARP frame the server sent (untagged Ethernet)."""

    def __init__(self, data):
        self.dst, self.src = mac_str(data[0:6]), mac_str(data[6:12])
        etype, = struct.unpack(">H", data[12:14])
        self.arp = etype == ETH_P_ARP and len(data) >= 42
        if not self.arp:
            return
        (self.hrd, self.pro, self.hln, self.pln,
         self.op) = struct.unpack(">HHBBH", data[14:22])
        self.hwsrc, self.psrc = mac_str(data[22:28]), socket.inet_ntoa(data[28:32])
        self.hwdst, self.pdst = mac_str(data[32:38]), socket.inet_ntoa(data[38:42])


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
        here = "/proc/self/ns/net"
        self_fd = os.open(here, os.O_RDONLY)
        try:
            setns(netns)
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(ETH_P_ALL))
        finally:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(self_fd, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns back")
            os.close(self_fd)
        # Forced: SO_RCVBUF is capped by net.core.rmem_max (208 KiB, a
        # few hundred frames, a moment's stall of this thread in TCG).
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
            # (ifname, protocol, pkttype, hatype, address)
            if addr[2] != PACKET_OUTGOING and addr[0] in self.ports:
                self.frames.append((addr[0], data))

    def finish(self):
        """The frames seen, and how many the socket had to drop."""
        self.stop = True
        self.thread.join()
        _, drops = struct.unpack("II", self.sock.getsockopt(
            SOL_PACKET, PACKET_STATISTICS, 8))
        return self.frames, drops


class Fuzzer:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.vips = args.vips.split(",")
        self.ports = dict(p.split("=") for p in args.ports.split(","))
        self.members = set(self.ports.values())
        self.my_mac = open(f"/sys/class/net/{args.iface}/address").read().strip()
        self.client_ip = args.client_ip
        self.sent = {}          # Ethernet source -> (class, sip, tip, index)
        self.counts = {}
        self.serial = 0

    def unique_mac(self):
        self.serial += 1
        # locally administered unicast, 02:f2:..: one per frame
        return mac_str(b"\x02\xf2" + struct.pack(">I", self.serial))

    def rand_ip(self):
        return f"192.0.2.{self.rng.randint(2, 99)}"

    def vip(self):
        return self.rng.choice(self.vips)

    def request(self, sha, sip, tip, src=None, dst=BCAST, op=1, tags=(),
                **kw):
        self.src = src or sha
        return eth(dst, self.src, ETH_P_ARP, tags) + \
            arp(op, sha, sip, tip, **kw)

    def frame(self, cls):
        """Bytes of one frame of class cls; registers what it asks."""
        r = self.rng
        sha = self.unique_mac()
        sip, tip = self.rand_ip(), self.vip()
        member = r.choice(sorted(self.members))

        if cls == "valid":
            raw = self.request(sha, sip, tip)
        elif cls == "valid-unicast":
            raw = self.request(sha, sip, tip, dst=member)
        elif cls == "valid-padded":
            raw = self.request(sha, sip, tip) + r.randbytes(r.randint(1, 200))
        elif cls == "sha-forged":
            raw = self.request(sha, sip, tip, src=self.unique_mac())
        elif cls == "probe":
            sip = "0.0.0.0"
            raw = self.request(sha, sip, tip)
        elif cls == "truncated":
            raw = self.request(sha, sip, tip)[:r.randint(14, 41)]
        elif cls == "hrd":
            raw = self.request(sha, sip, tip,
                               hrd=r.choice([0, 2, 7, 0x18, 0x100, 0xffff]))
        elif cls == "hrd-ieee802":
            raw = self.request(sha, sip, tip, hrd=6)
        elif cls == "pro":
            raw = self.request(sha, sip, tip,
                               pro=r.choice([0, 0x0801, 0x86dd, 0x0806, 0xffff]))
        elif cls == "hln-pln":
            # the lengths lie; the body is a normal one or sized by them
            hln = r.choice([0, 1, 5, 7, 8, 16, 255])
            pln = r.choice([0, 3, 4, 5, 16, 255])
            if hln == 6 and pln == 4:
                hln = 7
            raw = self.request(sha, sip, tip, hln=hln, pln=pln)
            if r.random() < 0.5:
                raw = raw[:22] + r.randbytes(2 * (hln + pln))
        elif cls == "op":
            raw = self.request(sha, sip, tip,
                               op=r.choice([0, 3, 4, 8, 9, 25, 0xffff]))
        elif cls == "sha-multicast":
            sha = r.choice([BCAST, "01:00:5e:00:00:01", "33:33:00:00:00:01",
                            "00:00:00:00:00:00", "01:80:c2:00:00:00",
                            "03:00:00:00:00:01"])
            raw = self.request(sha, sip, tip, src=self.my_mac)
        elif cls == "src-multicast":
            raw = self.request(sha, sip, tip, src="01:00:5e:00:00:fb")
        elif cls == "own-sha":
            sha = member
            raw = self.request(sha, sip, tip,
                               src=r.choice([self.my_mac, member]))
        elif cls == "own-sha-vip":
            sha = member
            sip = r.choice(self.vips)
            raw = self.request(sha, sip, r.choice([tip, sip]),
                               src=r.choice([self.my_mac, member]))
        elif cls == "sip-vip":
            sip = r.choice([v for v in self.vips if v != tip] or [tip])
            raw = self.request(sha, sip, tip)
        elif cls == "garp-vip":
            sip = tip
            raw = self.request(sha, sip, tip, op=r.choice([1, 2]))
        elif cls == "reply-vip":
            sip = tip
            tip = r.choice([self.client_ip, self.rand_ip(), self.vip()])
            raw = self.request(sha, sip, tip, dst=r.choice([BCAST, member]),
                               op=2, tha=member)
        elif cls == "vlan":
            raw = self.request(sha, sip, tip,
                               tags=[(0x8100, r.randint(1, 4094))])
        elif cls == "vlan-0":
            raw = self.request(sha, sip, tip, tags=[(0x8100, 0)])
        elif cls == "qinq":
            raw = self.request(sha, sip, tip,
                               tags=[(0x88a8, r.randint(1, 4094)),
                                     (0x8100, r.randint(0, 4094))])
        elif cls == "tip-not-vip":
            tip = r.choice([self.client_ip, self.rand_ip(), "0.0.0.0",
                            "255.255.255.255", "127.0.0.1", "224.0.0.1",
                            "192.0.2.255"])
            raw = self.request(sha, sip, tip)
        elif cls == "sip-martian":
            sip = r.choice(["255.255.255.255", "224.0.0.1", "127.0.0.1"])
            raw = self.request(sha, sip, tip)
        elif cls == "sip-odd":
            sip = r.choice(["192.0.2.255", "240.0.0.1"])
            raw = self.request(sha, sip, tip)
        else:   # garbage
            etype = ETH_P_ARP if r.random() < 0.8 else r.randint(0, 0xffff)
            self.src = sha
            raw = (eth(r.choice([BCAST, member]), sha, etype) +
                   r.randbytes(r.randint(0, 100)))
        self.sent[self.src] = (cls, sip, tip, self.serial)
        self.counts[cls] = self.counts.get(cls, 0) + 1
        return raw


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--vips", required=True, help="VIP,VIP...")
    ap.add_argument("--ports", required=True,
                    help="PORT=MAC,...: the switch ports of the server's "
                         "member adapters and their MACs")
    ap.add_argument("--switch-netns", required=True, help="/run/netns/NAME")
    ap.add_argument("--client-ip", default="192.0.2.1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--gap", type=float, default=0.002,
                    help="seconds between frames")
    ap.add_argument("--settle", type=float, default=3.0,
                    help="seconds to listen after the last frame")
    args = ap.parse_args()

    fz = Fuzzer(args)
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
        except OSError as e:    # e.g. a frame the device will not take
            fz.counts[cls + " (not sent: " + e.strerror + ")"] = \
                fz.counts.get(cls + " (not sent: " + e.strerror + ")", 0) + 1
        time.sleep(args.gap)
    sent_secs = time.monotonic() - start
    time.sleep(args.settle)
    frames, drops = cap.finish()

    findings = []
    if drops:
        findings.append(f"the capture lost {drops} frames: cannot judge")
    replies = {}        # sender MAC of the request -> {member MAC: n}
    garps = other = 0
    port_mac = fz.ports
    for port, data in frames:
        p = a = Frame(data)
        if not a.arp:
            continue
        where = f"on {port} ({port_mac[port]})"
        desc = (f"op {a.op} {a.hwsrc} {a.psrc} -> {a.hwdst} {a.pdst} "
                f"(eth {p.src} -> {p.dst}) {where}")
        own = a.hwsrc == port_mac[port] and p.src == port_mac[port]
        if a.psrc == a.pdst and a.psrc in fz.vips:
            garps += 1
            if not own or p.dst != BCAST:
                findings.append(f"bad gratuitous ARP: {desc}")
            continue
        if a.op == 1 and own and a.psrc in fz.vips:
            other += 1
            continue
        if a.op != 2:
            findings.append(f"unexpected ARP from the server: {desc}")
            continue
        req = fz.sent.get(p.dst)
        if req is None:
            findings.append(f"reply to no request of ours: {desc}")
            continue
        cls, sip, tip, idx = req
        if CLASSES[cls][1] == "none":
            findings.append(f"reply to a {cls} frame (#{idx}): {desc}")
        elif not own or a.psrc != tip or a.pdst != sip or p.dst != a.hwdst:
            findings.append(f"malformed reply to a {cls} frame (#{idx}, "
                            f"asked {tip} for {sip}): {desc}")
        r = replies.setdefault(p.dst, {})
        r[a.hwsrc] = r.get(a.hwsrc, 0) + 1
        if r[a.hwsrc] == 2:
            findings.append(f"more than one reply from {a.hwsrc} to a "
                            f"{cls} frame (#{idx}): {desc}")

    answered = {}
    for src, (cls, sip, tip, idx) in fz.sent.items():
        got = replies.get(src, {})
        answered.setdefault(cls, 0)
        if got:
            answered[cls] += 1
        if CLASSES[cls][1] == "all" and set(got) != fz.members:
            findings.append(f"{cls} frame #{idx} ({tip} for {sip} from {src}) "
                            f"answered by {sorted(got) or 'nobody'}, not by "
                            f"every member")

    total = sum(v for k, v in fz.counts.items() if "not sent" not in k)
    print(f"# {total} frames in {sent_secs:.1f} s (seed {args.seed}); "
          f"from the server: {len(frames)} frames, "
          f"{sum(sum(r.values()) for r in replies.values())} replies, "
          f"{garps} gratuitous ARPs, {other} own requests")
    print("# class            frames answered  (replies: all = by every "
          "member, any = allowed, none = never)")
    for cls in names:
        print(f"#   {cls:16} {fz.counts.get(cls, 0):6} {answered.get(cls, 0):8}"
              f"  {CLASSES[cls][1]}")
    for k, v in sorted(fz.counts.items()):
        if "not sent" in k:
            print(f"#   {k}: {v}")
    for f in findings[:40]:
        print(f"# FINDING: {f}")
    if len(findings) > 40:
        print(f"# ... {len(findings) - 40} more findings")
    print(f"# findings: {len(findings)}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
