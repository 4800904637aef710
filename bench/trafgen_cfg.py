#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Print a trafgen (netsniff-ng) packet configuration: one constant frame,
the request bench/arp_rate.sh floods.

trafgen_cfg.py arp SRC_MAC SRC_IP TARGET    an ARP request, broadcast
trafgen_cfg.py ns SRC_MAC SRC_IP6 TARGET6   a neighbour solicitation to the
                                            target's solicited-node group,
                                            with a source link-layer option

The ICMPv6 checksum is computed here: the frame never changes.
"""

import ipaddress
import struct
import sys


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def arp(src_mac, src_ip, target):
    src = mac(src_mac)
    return (b"\xff" * 6 + src + struct.pack("!H", 0x0806)
            + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
            + src + ipaddress.IPv4Address(src_ip).packed
            + b"\0" * 6 + ipaddress.IPv4Address(target).packed)


def ns(src_mac, src_ip, target):
    src, sip = mac(src_mac), ipaddress.IPv6Address(src_ip).packed
    tgt = ipaddress.IPv6Address(target).packed
    dip = ipaddress.IPv6Address("ff02::1:ff00:0").packed[:13] + tgt[13:]
    dmac = b"\x33\x33" + dip[12:]
    # type 135, code 0, checksum, reserved; target; option 1 (source
    # link-layer address), length 1 (8 bytes)
    icmp = struct.pack("!BBHI", 135, 0, 0, 0) + tgt + b"\x01\x01" + src
    pseudo = sip + dip + struct.pack("!IxxxB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
    # version 6, payload length, next header 58 (ICMPv6), hop limit 255
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + sip + dip
    return dmac + src + struct.pack("!H", 0x86dd) + ip6 + icmp


def main():
    kind, src_mac, src_ip, target = sys.argv[1:5]
    frame = {"arp": arp, "ns": ns}[kind](src_mac, src_ip, target)
    print("{ " + ", ".join(f"0x{b:02x}" for b in frame) + " }")


if __name__ == "__main__":
    main()
