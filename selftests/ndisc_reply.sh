#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6's twin of arp_reply.sh: every live member adapter answers a
# neighbour solicitation for a VIPv6 with a solicited advertisement of its
# own MAC (Ethernet source and target link-layer option), from the VIP, to
# the solicitor at the solicitation's Ethernet source, exactly once,
# although the multicast reaches all three; an adapter that is down or
# without carrier does not answer (tc counts what vipfo hands it). The
# client's own kernel resolves a VIPv6 to a member and reaches it. A DAD
# probe is answered to all nodes, Solicited clear (RFC 4861 7.2.4). What
# must stay unanswered: an address of the prefix that is no VIP, a
# solicitation through a non-member adapter, one from a member's MAC (our
# own frames heard back), and what the kernel's ndisc would drop as
# invalid (hop limit, checksum, option length), which vipfo must not even
# count. The group's IPv4 VIP still answers ARP.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ndisc_lib.sh"

require_all
require_scapy		# (the same package as its IPv6 layers; arp_client too)
require_cmd tc ping
tap_header

NS_IPV6=1
setup_or_finish setup_topology setup_nonmember remember_macs ndc_start_cli
check "group with a1 a2 a3, $VIP1, $VIP6_1 and $VIP6_2" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP6_1,$VIP6_2"
check "tc counts the advertisements handed to a1 a2 a3" na_watch a1 a2 a3

check_solicited "$VIP6_1: one advertisement from each of a1 a2 a3" \
	"$(solicit "$VIP6_1")" "$VIP6_1" a1 a2 a3
check_solicited "$VIP6_2: one advertisement from each of a1 a2 a3" \
	"$(solicit "$VIP6_2")" "$VIP6_2" a1 a2 a3

# Back to back solicitations for both: still one answer per adapter and VIP.
nas=$(solicit "$VIP6_1,$VIP6_2")
check_solicited "$VIP6_1 asked with $VIP6_2: one answer per adapter" \
	"$(awk -v t="$VIP6_1" '$5 == t' <<<"$nas")" "$VIP6_1" a1 a2 a3
check_solicited "$VIP6_2 asked with $VIP6_1: one answer per adapter" \
	"$(awk -v t="$VIP6_2" '$5 == t' <<<"$nas")" "$VIP6_2" a1 a2 a3

# The group's IPv4 VIP, beside them.
check_replies "$VIP1 (IPv4, same group): one ARP reply from each of a1 a2 a3" \
	"$(arp_request "$VIP1")" a1 a2 a3

# --- failed adapters ------------------------------------------------------------

# (The survivors' unsolicited advertisements of the failover may come
# meanwhile: failover_garp.sh's business, not counted here.)
tx2=$(na_count a2) counters2=$(member_counters web a2)
fail_adapter admin-down a2
check_solicited "a2 admin down: answers from a1 a3 only" \
	"$(solicit "$VIP6_1" | answers_only)" "$VIP6_1" a1 a3
check_na_silent "a2 admin down: nothing handed to a2, its counters still" \
	a2 "$tx2" "$counters2"

tx3=$(na_count a3) counters3=$(member_counters web a3)
fail_adapter carrier-loss a3
slowwait 10 bash -c "! ip -n $SRV link show a3 | grep -q LOWER_UP"
check_solicited "a2 down, a3 without carrier: answer from a1 only" \
	"$(solicit "$VIP6_1" | answers_only)" "$VIP6_1" a1
check_na_silent "a3 without carrier: nothing handed to a3, its counters still" \
	a3 "$tx3" "$counters3"

recover_adapter admin-down a2
recover_adapter carrier-loss a3
# (Held down for --up-delay after they come back.)
slowwait 10 states_are web a1=up a2=up a3=up
check_solicited "a2 a3 back: answers from a1 a2 a3 again" \
	"$(solicit "$VIP6_1" | answers_only)" "$VIP6_1" a1 a2 a3

# --- the client's own kernel ---------------------------------------------------

# Forget the entry the solicitations above may have left, so that the
# kernel resolves the VIP itself.
ip -n "$CLI" -6 neigh flush dev c0
if out=$(cli ping -6 -c 1 -W 5 "$VIP6_1" 2>&1); then
	ok "client pings $VIP6_1"
else
	not_ok "client pings $VIP6_1" "$out" "$(ip -n "$CLI" -6 neigh show)"
fi
m=$(client_neigh "$VIP6_1")
case " $(mac_of "$SRV" a1) $(mac_of "$SRV" a2) $(mac_of "$SRV" a3) " in
*" ${m:-none} "*) ok "client resolved $VIP6_1 to a member ($(adapter_with "$m"))" ;;
*) not_ok "client resolved $VIP6_1 to a member" "lladdr ${m:-none}" \
	"$(ip -n "$CLI" -6 neigh show)" ;;
esac

# --- DAD probe ------------------------------------------------------------------

# Source ::, to the VIP's solicited-node group: the answers go to all
# nodes, Solicited clear, so that the prober sees the VIP is taken. A
# probe for a VIP is also a claim (ndisc_conflict.sh), reported; the
# answers are its announcement: no second advertisement like them.
read -r replies0 nas0 conflicts0 <<<"$(group_stats replies nas conflicts)"
check_adverts "DAD probe for $VIP6_2: answered once by each of a1 a2 a3, to all nodes, S clear" \
	"$(solicit "$VIP6_2" --dad)" "$VIP6_2" "$ALL_NODES" "$ALL_NODES_MAC" \
	O a1 a2 a3
read -r replies1 nas1 conflicts1 <<<"$(group_stats replies nas conflicts)"
check "counted: 3 replies, no announcement, 1 conflict (replies $replies0 -> $replies1, nas $nas0 -> $nas1, conflicts $conflicts0 -> $conflicts1)" \
	test "$replies1" -eq $((replies0 + 3)) -a "$nas1" -eq "$nas0" \
	-a "$conflicts1" -eq $((conflicts0 + 1))

# --- left alone -----------------------------------------------------------------

check_none "no answer for 2001:db8::150 (no VIP, not local)" \
	"$(solicit 2001:db8::150)"
# An IPv4 VIP's key in the VIP table is its IPv4-mapped address.
check_none "no answer for ::ffff:$VIP1 (the IPv4 VIP, mapped)" \
	"$(solicit "::ffff:$VIP1")"

requests=$(group_stats requests)
check_none "no answer for $VIP6_1 asked through non-member a4" \
	"$(solicit "$VIP6_1" --iface c4 --listen c0,c4)"
check_none "hop limit 64: no answer" "$(solicit "$VIP6_1" --hlim 64)"
check_none "bad checksum: no answer" "$(solicit "$VIP6_1" --bad-cksum)"
check_none "source link-layer option of length 0: no answer" \
	"$(solicit "$VIP6_1" --optlen 0)"
check_none "code 1: no answer" "$(solicit "$VIP6_1" --code 1)"
check_none "DAD probe with a source link-layer option: no answer" \
	"$(solicit "$VIP6_1" --dad --slla "$(mac_of "$CLI" c0)")"
check_none "DAD probe to $ALL_NODES, not the solicited-node group: no answer" \
	"$(solicit "$VIP6_1" --dad --dst "$ALL_NODES" --eth-dst "$ALL_NODES_MAC")"
n=$(group_stats requests)
check "none of those counted as a request ($requests -> $n)" \
	test "$n" -eq "$requests"
# (And the counter does count: one valid solicitation.)
check_solicited "a valid one after them: answered by a1 a2 a3" \
	"$(solicit "$VIP6_1")" "$VIP6_1" a1 a2 a3
n=$(group_stats requests)
check "and counted ($requests -> $n)" test "$n" -eq $((requests + 1))

# Our own frames heard back: a member's MAC in the option, then as the
# Ethernet source. The latter goes last: it teaches the bridge a2's MAC
# on the client's port.
a2mac=$(mac_of "$SRV" a2)
check_none "no answer with a2's MAC in the source link-layer option" \
	"$(solicit "$VIP6_1" --slla "$a2mac")"
check_none "no answer with a2's MAC as Ethernet source" \
	"$(solicit "$VIP6_1" --eth-src "$a2mac" --slla "$(mac_of "$CLI" c0)")"

finish
