#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A neighbour solicitation for a VIPv6 goes to the VIP's solicited-node
# multicast group. A bridge that snoops MLD forwards it only to ports that
# joined the group, and a NIC's multicast filter drops it unless the
# device listens: so each member joins the solicited-node group of each
# of its group's VIPv6s (with MLD reports), once per group however many
# VIPs share it, and leaves it when the last of them goes or the member
# does. Beyond 1024 groups the members go all-multicast instead.
#
# The bridge here snoops with a querier and floods no unregistered
# multicast to the members' ports (mcast_flood off): a member that did
# not join never sees the solicitation, which the control check shows
# for an address that is no VIP. On the VM's virtio-net NICs (--nics 4)
# the NIC's filter (QEMU's) is what a member that did not join would
# fall foul of.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

NS_IPV6=1
V6A=2001:db8::100
V6B=2001:db8:1::100	# the same low 24 bits: the same group as V6A
SNM=ff02::1:ff00:100	# their solicited-node group

# snooping: br0 snoops MLD and queries; unregistered multicast does not
# reach the members' ports.
snooping()
{
	# The response interval first: turning the querier on starts a
	# wait of that long (10 s by default) before it counts as present.
	printf '%s\n' "link set br0 type bridge mcast_query_response_interval 100" \
		"link set br0 type bridge mcast_snooping 1 mcast_querier 1" |
		ip -n "$SW" -b - || return 1
	for p in p1 p2 p3; do
		in_ns "$SW" bridge link set dev "$p" mcast_flood off || return 1
	done
}

# mdb_ports GROUP: the bridge ports the bridge forwards GROUP to
mdb_ports()
{
	in_ns "$SW" bridge mdb show dev br0 |
		awk -v g="$1" '$0 ~ " grp " g " " { for (i = 1; i < NF; i++)
			if ($i == "port") print $(i + 1) }' | sort | tr '\n' ' '
}

# joined_on NS IF GROUP: IF of NS is in GROUP
joined_on()
{
	in_ns "$1" ip -6 maddr show dev "$2" | grep -qE "inet6 $3( |\$)"
}

# requests_of IF: the member's requests counter
requests_of()
{
	vipctl show web --json --stats | "$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
print([d["stats"]["requests"] for d in j["groups"][0]["devices"]
       if d["ifname"] == sys.argv[1]][0])' "$1"
}

# solicit ADDR: the client resolves ADDR afresh (an NS to its group)
solicit()
{
	cli ip -6 neigh flush dev c0 >/dev/null 2>&1
	cli ping -6 -c 1 -W 2 "$1" >/dev/null 2>&1
}

# check_each_asked DESC IF...: each IF's requests counter moved since
# REQ_BEFORE_<IF> was taken
check_each_asked()
{
	local desc=$1 ifc out="" bad=0 now before
	shift
	for ifc in "$@"; do
		before=REQ_BEFORE_$ifc
		now=$(requests_of "$ifc")
		out+="$ifc: ${!before} -> $now; "
		[ "$now" -gt "${!before}" ] || bad=1
	done
	if [ "$bad" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "$out"
	fi
}

take_requests()
{
	local ifc
	for ifc in "$@"; do
		printf -v "REQ_BEFORE_$ifc" '%s' "$(requests_of "$ifc")"
	done
}

# --- veths behind a snooping bridge -------------------------------------------

setup_or_finish setup_topology snooping
check "group web with a1 a2 a3 and $V6A" \
	vipctl group add web --dev a1,a2,a3 --vip "$V6A" --up-delay 0

for ifc in a1 a2 a3; do
	if joined_on "$SRV" "$ifc" "$SNM"; then
		ok "$ifc joined $SNM"
	else
		not_ok "$ifc joined $SNM" "$(srv ip -6 maddr show dev "$ifc")"
	fi
done
# mdb_has GROUP N: the bridge forwards GROUP to N ports
mdb_has() { [ "$(mdb_ports "$1" | wc -w)" -ge "$2" ]; }
if slowwait 10 mdb_has "$SNM" 3; then
	ok "the bridge forwards $SNM to p1 p2 p3 ($(mdb_ports "$SNM"))"
else
	not_ok "the bridge forwards $SNM to p1 p2 p3" \
		"$(in_ns "$SW" bridge mdb show dev br0)"
fi

# Until the bridge counts a querier as present (the query response
# interval after its own was turned on: 1 s here), it floods even a
# registered group, and then only to ports with mcast_flood on: the
# client asks again until the members hear it, for 15 s at most. A
# member that did not join never would.
take_requests a1 a2 a3
all_asked()
{
	local ifc before

	solicit "$V6A"
	for ifc in a1 a2 a3; do
		before=REQ_BEFORE_$ifc
		[ "$(requests_of "$ifc")" -gt "${!before}" ] || return 1
	done
}
slowwait 15 all_asked
check_each_asked "the solicitation for $V6A reached a1 a2 a3" a1 a2 a3
if solicit "$V6A"; then
	ok "the client resolves $V6A and reaches it"
else
	not_ok "the client resolves $V6A and reaches it" \
		"$(cli ip -6 neigh show "$V6A")" \
		"$(in_ns "$SW" bridge mdb show dev br0)"
fi

# The control: nobody joined the group of an address that is no VIP, so
# the bridge keeps a solicitation for it from the members.
bg in_ns "$SRV" tcpdump -ni a1 -Q in -U -w "$TMPD/other.pcap" \
	"icmp6 and ip6[40] == 135" 2>"$TMPD/other.err"
CAP=$BG_PID
slowwait 5 grep -q "listening on" "$TMPD/other.err"
solicit 2001:db8::200
sleep 1
kill "$CAP" 2>/dev/null
wait "$CAP" 2>/dev/null
n=$(in_ns "$SRV" tcpdump -nr "$TMPD/other.pcap" 2>/dev/null |
	grep -c "who has 2001:db8::200")
if [ "$n" = 0 ]; then
	ok "control: a solicitation for a group nobody joined does not reach a1"
else
	not_ok "control: a solicitation for a group nobody joined does not reach a1" \
		"$n solicitation(s) on a1"
fi

# One group for two VIPs: joined once, left with the last.
check "vip add $V6B (the group of $V6A)" vipctl vip add web "$V6B"
if srv ip -6 maddr show dev a1 | grep -qE "inet6 $SNM users"; then
	not_ok "a1 is in $SNM once for $V6A and $V6B" \
		"$(srv ip -6 maddr show dev a1)"
else
	ok "a1 is in $SNM once for $V6A and $V6B"
fi
check "vip del $V6A" vipctl vip del web "$V6A"
if joined_on "$SRV" a1 "$SNM"; then
	ok "a1 stays in $SNM for $V6B"
else
	not_ok "a1 stays in $SNM for $V6B" "$(srv ip -6 maddr show dev a1)"
fi

# A member that leaves the group leaves the multicast group.
check "dev del a3" vipctl dev del web a3
if joined_on "$SRV" a3 "$SNM"; then
	not_ok "a3, no member now, left $SNM" "$(srv ip -6 maddr show dev a3)"
else
	ok "a3, no member now, left $SNM"
fi
check "dev add a3" vipctl dev add web a3
if joined_on "$SRV" a3 "$SNM"; then
	ok "a3, a member again, joined $SNM"
else
	not_ok "a3, a member again, joined $SNM" "$(srv ip -6 maddr show dev a3)"
fi

check "vip del $V6B" vipctl vip del web "$V6B"
left=""
for ifc in a1 a2 a3; do
	joined_on "$SRV" "$ifc" "$SNM" && left+="$ifc "
done
if [ -z "$left" ]; then
	ok "the last VIP of $SNM gone: a1 a2 a3 left it"
else
	not_ok "the last VIP of $SNM gone: a1 a2 a3 left it" "still in: $left"
fi

# More groups than the members join: all-multicast, until they are gone.
# (The kernel's own all-multicast users do not show in `ip link`: read
# the device's flags, IFF_ALLMULTI 0x200.)
n_groups() { srv ip -6 maddr show dev a1 | grep -c 'inet6 ff02::1:ff'; }
allmulti() { (($(srv cat /sys/class/net/a1/flags) & 0x200)); }
base=$(n_groups)
seq 1 1100 | awk '{ printf "2001:db8:2::%x\n", $1 }' > "$TMPD/many"
check "vip add 1100 VIPv6s of distinct groups" \
	vipctl vip add web --no-local $(paste -sd, "$TMPD/many")
joined=$(($(n_groups) - base))
if [ "$joined" = 1024 ] && allmulti; then
	ok "1100 groups: a1 joined 1024 and went all-multicast"
else
	not_ok "1100 groups: a1 joined 1024 and went all-multicast" \
		"joined $joined; flags $(srv cat /sys/class/net/a1/flags)"
fi
check "vip del the 1100" vipctl vip del web --no-local $(paste -sd, "$TMPD/many")
if [ "$(n_groups)" = "$base" ] && ! allmulti; then
	ok "all gone: a1 left the groups and all-multicast"
else
	not_ok "all gone: a1 left the groups and all-multicast" \
		"$(($(n_groups) - base)) groups; flags $(srv cat /sys/class/net/a1/flags)"
fi
check "group del web" vipctl group del web
cleanup_all_ns

# --- virtio-net NICs ------------------------------------------------------------

if ! have_nics; then
	skip "virtio-net NICs: the solicitation passes each member's filter" \
		"needs scripts/vm-run --nics 4"
	finish
fi
setup_or_finish setup_nic_links setup_host
check "NICs: group web with a1 a2 a3 and $V6A" \
	vipctl group add web --dev a1,a2,a3 --vip "$V6A" --up-delay 0
take_requests a1 a2 a3
if solicit "$V6A"; then
	ok "NICs: the client resolves $V6A and reaches it"
else
	not_ok "NICs: the client resolves $V6A and reaches it" \
		"$(cli ip -6 neigh show "$V6A")"
fi
check_each_asked "NICs: the solicitation for $V6A reached a1 a2 a3" a1 a2 a3
check "NICs: group del web" vipctl group del web

finish
