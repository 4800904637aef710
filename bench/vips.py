#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Print the first N benchmark VIPs, 198.18.0.1 upward (RFC 2544's range).

vips.py N args     1,000 comma-separated addresses per line (vipctl arguments)
vips.py N add|del  `ip -batch` lines: address add|del ADDR/32 dev lo
"""

import ipaddress
import sys

n, form = int(sys.argv[1]), sys.argv[2]
base = ipaddress.IPv4Address("198.18.0.1")
addrs = [str(base + i) for i in range(n)]
if form == "args":
    for k in range(0, n, 1000):
        print(",".join(addrs[k:k + 1000]))
else:
    for a in addrs:
        print(f"address {form} {a}/32 dev lo")
