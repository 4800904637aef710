#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every live member adapter answers an ARP request for a VIP with its own
# MAC, exactly once, although the broadcast reaches all three of them; an
# adapter that is down or without carrier does not answer: it could not
# send an answer anyway, so tc's egress hook counts what vipfo hands it,
# and its counters must not move. The replies go to the request's
# Ethernet source, not to whatever ARP sender MAC it names: a forged
# sender MAC cannot aim them at another host.

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
require_cmd tcpdump
tap_header

setup_or_finish setup_topology setup_client2
check "group with a1 a2 a3 and two VIPs" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1,$VIP2"
check "tc counts the ARP frames handed to a1 a2 a3" tx_watch a1 a2 a3

check_replies "$VIP1: one reply from each of a1 a2 a3" \
	"$(arp_request "$VIP1")" a1 a2 a3
check_replies "$VIP2: one reply from each of a1 a2 a3" \
	"$(arp_request "$VIP2")" a1 a2 a3

# Back to back requests for both: still one reply per adapter and VIP.
replies=$(arp_request "$VIP1,$VIP2")
check_replies "$VIP1 asked with $VIP2: one reply per adapter" \
	"$(grep " $VIP1 " <<<"$replies")" a1 a2 a3
check_replies "$VIP2 asked with $VIP1: one reply per adapter" \
	"$(grep " $VIP2 " <<<"$replies")" a1 a2 a3

tx2=$(tx_count a2) counters2=$(member_counters web a2)
fail_adapter admin-down a2
check_replies "a2 admin down: replies from a1 a3 only" \
	"$(arp_request "$VIP1")" a1 a3
check_silent "a2 admin down: nothing handed to a2, its counters still" \
	a2 "$tx2" "$counters2"

tx3=$(tx_count a3) counters3=$(member_counters web a3)
fail_adapter carrier-loss a3
slowwait 10 bash -c "! ip -n $SRV link show a3 | grep -q LOWER_UP"
check_replies "a2 down, a3 without carrier: reply from a1 only" \
	"$(arp_request "$VIP1")" a1
check_silent "a3 without carrier: nothing handed to a3, its counters still" \
	a3 "$tx3" "$counters3"

# The client resolves the VIP by itself and keeps a member's MAC.
recover_adapter admin-down a2
recover_adapter carrier-loss a3
if client_resolve "$VIP1"; then
	m=$(client_neigh "$VIP1")
	case " $(macs_of a1 a2 a3)" in
	*" $m "*) ok "client resolved $VIP1 to a member ($(adapter_of_mac "$m"))" ;;
	*) not_ok "client resolved $VIP1 to a member" "lladdr $m" ;;
	esac
else
	not_ok "client resolved $VIP1 to a member" \
		"$(ip -n "$CLI" neigh show "$VIP1")"
fi

# --- a forged sender MAC -------------------------------------------------------

# A request from the client that names the second host as its sender: the
# replies go to the client (its Ethernet source, in both headers), and the
# second host receives nothing from the server. Not from the kernel
# either, which would answer the sender MAC if vipfo passed the request
# on: with arp_ignore=0 it answers for lo's addresses (the VIPs).
victim=$(mac "$CLI2" c0)
client_mac=$(mac "$CLI" c0)
# The switch learns where the victim is (else it floods frames to it).
cli2 ping -c 1 -W 2 "$CLIENT_IP" >/dev/null
srv sysctl -qw net.ipv4.conf.all.arp_ignore=0
from_server=$(macs_of a1 a2 a3 | sed 's/ *$//; s/ / or ether src /g')
bg ip netns exec "$CLI2" tcpdump -ni c0 -U -w "$TMPD/victim.pcap" \
	"ether dst $victim and (ether src $from_server)" 2>"$TMPD/victim.err"
VICTIM_CAP=$BG_PID
if slowwait 30 grep -q "listening on" "$TMPD/victim.err"; then
	replies=$(arp_request "$VIP1" --src-mac "$victim" --eth-src "$client_mac")
	check_replies "sender MAC $victim forged by the client: a1 a2 a3 answer the client" \
		"$replies" a1 a2 a3
	kill "$VICTIM_CAP"
	wait "$VICTIM_CAP" 2>/dev/null
	got=$(tcpdump -enr "$TMPD/victim.pcap" 2>/dev/null)
	check "the host named as sender receives nothing from the server" \
		test -z "$got"
else
	not_ok "tcpdump listens on the second host" "$(cat "$TMPD/victim.err")"
fi
srv sysctl -qw net.ipv4.conf.all.arp_ignore=1

finish
