#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `vip add` makes each VIP a /32 address of lo (an IPv6 one /128, nodad),
# marked with IFA_PROTO 0x76; `vip del` and `group del` remove only what
# vipctl added; --no-local adds none.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS_IPV6=1
if ! setup_ns SRV || ! ip -n "$SRV" link add a1 type veth peer name b1; then
	not_ok "namespace set up"
	finish
fi

# lo_proto ADDR: the IFA_PROTO of ADDR/32 (IPv6: /128) on lo ("none"
# without one, "-" if the address is absent). iproute2 6.1 does not show
# it, so ask rtnetlink.
lo_proto()
{
	ip netns exec "$SRV" "$PYTHON" - "$1" <<'PY'
import socket, struct, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
want = socket.inet_pton(fam, sys.argv[1])
full = 128 if fam == socket.AF_INET6 else 32
lo = socket.if_nametoindex("lo")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
RTM_GETADDR, NLM_F_REQUEST, NLM_F_DUMP = 22, 1, 0x300
req = struct.pack("=LHHLL", 16 + 8, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
req += struct.pack("=BBBBI", fam, 0, 0, 0, 0)
s.send(req)
found = "-"
done = False
while not done:
    data = s.recv(65536)
    off = 0
    while off < len(data):
        ln, typ = struct.unpack_from("=LH", data, off)
        if typ == 3:            # NLMSG_DONE
            done = True
            break
        if typ == 20:           # RTM_NEWADDR
            fam, plen, _, _, idx = struct.unpack_from("=BBBBI", data, off + 16)
            a = off + 24
            addr, proto = None, "none"
            while a < off + ln:
                alen, atyp = struct.unpack_from("=HH", data, a)
                val = data[a + 4:a + alen]
                if atyp == 2 or (atyp == 1 and addr is None):
                    addr = val  # IFA_LOCAL; IPv6 has IFA_ADDRESS only
                elif atyp == 11:  # IFA_PROTO
                    proto = hex(val[0])
                a += (alen + 3) & ~3
            if idx == lo and plen == full and addr == want:
                found = proto
        off += (ln + 3) & ~3
print(found)
PY
}

# has_lo DESC ADDR WANT: lo_proto of ADDR is WANT
has_lo()
{
	local got

	got=$(lo_proto "$2")
	if [ "$got" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "$2 on lo: expected proto '$3', got '$got'" \
			"$(ip -n "$SRV" addr show dev lo)"
	fi
}

# An address the admin put on lo before.
ip -n "$SRV" addr add "$VIP3/32" dev lo

check "group add web --vip $VIP1 (local)" \
	vipctl group add web --dev a1 --vip "$VIP1"
has_lo "group add --vip: $VIP1/32 on lo, proto 0x76" "$VIP1" 0x76
check "vip add $VIP2 --no-local" vipctl vip add web "$VIP2" --no-local
has_lo "--no-local: $VIP2 not on lo" "$VIP2" -
check "vip add $VIP3 (already on lo)" vipctl vip add web "$VIP3"
has_lo "the admin's $VIP3 stays unmarked" "$VIP3" none
check "vip add 192.0.2.103" vipctl vip add web 192.0.2.103
has_lo "vip add: 192.0.2.103/32 on lo, proto 0x76" 192.0.2.103 0x76

check "vip del $VIP1" vipctl vip del web "$VIP1"
has_lo "vip del: $VIP1 gone from lo" "$VIP1" -
check "vip del $VIP3" vipctl vip del web "$VIP3"
has_lo "vip del: the admin's $VIP3 stays" "$VIP3" none

# IPv6: /128, without duplicate address detection, same marking.
V6A=2001:db8::100 V6B=2001:db8::101
ip -n "$SRV" addr add "$V6B/128" dev lo nodad
check "vip add $V6A (IPv6)" vipctl vip add web "$V6A"
has_lo "vip add: $V6A/128 on lo, proto 0x76" "$V6A" 0x76
if ip -n "$SRV" -6 addr show dev lo | grep -q "inet6 $V6A/128 .*nodad"; then
	ok "vip add: $V6A on lo without DAD (nodad)"
else
	not_ok "vip add: $V6A on lo without DAD (nodad)" \
		"$(ip -n "$SRV" -6 addr show dev lo)"
fi
check "vip add $V6B (already on lo)" vipctl vip add web "$V6B"
has_lo "the admin's $V6B stays unmarked" "$V6B" none
check "vip del $V6B" vipctl vip del web "$V6B"
has_lo "vip del: the admin's $V6B stays" "$V6B" none

check "group del web" vipctl group del web
has_lo "group del: $V6A gone from lo" "$V6A" -
has_lo "group del: 192.0.2.103 gone from lo" 192.0.2.103 -
has_lo "group del: the admin's $VIP3 stays" "$VIP3" none

finish
