#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `vip add` makes each VIP a /32 address of lo, marked with IFA_PROTO 0x76;
# `vip del` and `group del` remove only what vipctl added; --no-local adds
# none.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

if ! setup_ns SRV || ! ip -n "$SRV" link add a1 type veth peer name b1; then
	not_ok "namespace set up"
	finish
fi

# lo_proto ADDR: the IFA_PROTO of ADDR/32 on lo ("none" without one, "-" if
# the address is absent). iproute2 6.1 does not show it, so ask rtnetlink.
lo_proto()
{
	ip netns exec "$SRV" "$PYTHON" - "$1" <<'PY'
import socket, struct, sys
want = socket.inet_aton(sys.argv[1])
lo = socket.if_nametoindex("lo")
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
RTM_GETADDR, NLM_F_REQUEST, NLM_F_DUMP = 22, 1, 0x300
req = struct.pack("=LHHLL", 16 + 8, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
req += struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0)
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
                if atyp == 2:   # IFA_LOCAL
                    addr = val
                elif atyp == 11:  # IFA_PROTO
                    proto = hex(val[0])
                a += (alen + 3) & ~3
            if idx == lo and plen == 32 and addr == want:
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
			"$(ip -n "$SRV" -4 addr show dev lo)"
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

check "group del web" vipctl group del web
has_lo "group del: 192.0.2.103 gone from lo" 192.0.2.103 -
has_lo "group del: the admin's $VIP3 stays" "$VIP3" none

finish
