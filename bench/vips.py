#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Print the first N benchmark VIPs, 198.18.0.1 upward (RFC 2544's range),
or with family 6, 2001:2::1 upward (RFC 5180's).

vips.py N args [4|6]     1,000 comma-separated addresses per line (vipctl
                         arguments)
vips.py N add|del [4|6]  `ip -batch` lines: address add|del ADDR/32 (/128)
                         dev lo
vips.py N vipctl-add|vipctl-del [4|6]
                         one `vipctl -b` line: vip add|del scale --no-local
                         and every address (a million do not fit in argv)
"""

import ipaddress
import sys

n, form = int(sys.argv[1]), sys.argv[2]
family = sys.argv[3] if len(sys.argv) > 3 else "4"
if family == "6":
    base, plen = ipaddress.IPv6Address("2001:2::1"), 128
else:
    base, plen = ipaddress.IPv4Address("198.18.0.1"), 32
addrs = [str(base + i) for i in range(n)]
if form == "args":
    for k in range(0, n, 1000):
        print(",".join(addrs[k:k + 1000]))
elif form.startswith("vipctl-"):
    print(f"vip {form[len('vipctl-'):]} scale --no-local {','.join(addrs)}")
else:
    for a in addrs:
        print(f"address {form} {a}/{plen} dev lo")
