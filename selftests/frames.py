#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The requests the selftests and the benchmarks send as raw frames: an ARP
request, broadcast; a neighbour solicitation (NS) to the target's
solicited-node group, with a source link-layer address option. arp() and
ns() build them (ndisc_client.py imports ns(), ndisc_fuzz.py checksum6());
as a program, this prints
one for the netsniff-ng tools that flood: as a trafgen packet
configuration, or (--hex) as the byte string mausezahn sends as it is.

frames.py [--hex] arp SRC_MAC SRC_IP TARGET
frames.py [--hex] ns SRC_MAC SRC_IP6 TARGET6

The ICMPv6 checksum is computed here: the frame never changes.
"""

import ipaddress
import struct
import sys


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def checksum6(src, dst, nxt, payload):
    """the Internet checksum of payload under the IPv6 pseudo-header of
    src and dst (packed), next header nxt"""
    data = src + dst + struct.pack("!IxxxB", len(payload), nxt) + payload
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def arp(src_mac, src_ip, target):
    """an ARP request from src_mac/src_ip for target"""
    src = mac(src_mac)
    return (b"\xff" * 6 + src + struct.pack("!H", 0x0806)
            + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
            + src + ipaddress.IPv4Address(src_ip).packed
            + b"\0" * 6 + ipaddress.IPv4Address(target).packed)


def ns(src_mac, src_ip, target):
    """a neighbour solicitation from src_mac/src_ip for target"""
    src, sip = mac(src_mac), ipaddress.IPv6Address(src_ip).packed
    tgt = ipaddress.IPv6Address(target).packed
    dip = ipaddress.IPv6Address("ff02::1:ff00:0").packed[:13] + tgt[13:]
    dmac = b"\x33\x33" + dip[12:]
    # type 135, code 0, checksum, reserved; target; option 1 (source
    # link-layer address), length 1 (8 bytes)
    icmp = struct.pack("!BBHI", 135, 0, 0, 0) + tgt + b"\x01\x01" + src
    icmp = icmp[:2] + struct.pack("!H", checksum6(sip, dip, 58, icmp)) + icmp[4:]
    # version 6, payload length, next header 58 (ICMPv6), hop limit 255
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + sip + dip
    return dmac + src + struct.pack("!H", 0x86dd) + ip6 + icmp


def main():
    args = sys.argv[1:]
    hexa = args[:1] == ["--hex"]
    kind, src_mac, src_ip, target = args[hexa:hexa + 4]
    frame = {"arp": arp, "ns": ns}[kind](src_mac, src_ip, target)
    if hexa:
        print(":".join(f"{b:02x}" for b in frame))
    else:
        print("{ " + ", ".join(f"0x{b:02x}" for b in frame) + " }")


if __name__ == "__main__":
    main()
