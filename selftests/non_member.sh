#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What vipfo must leave alone: requests for addresses that are no VIP,
# requests arriving on a device that is no member (a4, on its own segment
# with the client's c4), requests from our own adapters and gratuitous
# ARPs. And the kernel's own ARP code never answers a VIP on a member,
# even with arp_ignore=0 (no duplicate replies).

source "$(dirname "$0")/lib.sh"

require_all
require_scapy
tap_header

setup_or_finish setup_topology setup_nonmember
check "group with a1 a2 a3 and $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"

# requests_matched: the group's "requests" counter
requests_matched()
{
	vipctl show web --json --stats >"$TMPD/show.json" &&
		json_value "$TMPD/show.json" 'j["groups"][0]["stats"]["requests"]'
}

replies=$(arp_request 192.0.2.150)
if [ -z "$replies" ]; then
	ok "no reply for 192.0.2.150 (no VIP, not local)"
else
	not_ok "no reply for 192.0.2.150 (no VIP, not local)" "$replies"
fi

# An address of a1 itself stays the kernel's: a1 answers (arp_ignore=1).
srv ip addr add 192.0.2.50/32 dev a1
check_replies "192.0.2.50 on a1: the kernel's one reply from a1" \
	"$(arp_request 192.0.2.50)" a1
srv ip addr del 192.0.2.50/32 dev a1

replies=$(arp_request "$VIP1" --iface c4 --listen c0,c4)
if [ -z "$replies" ]; then
	ok "no reply for $VIP1 asked through non-member a4"
else
	not_ok "no reply for $VIP1 asked through non-member a4" "$replies"
fi

n=$(requests_matched)
if [ "$n" = 0 ]; then
	ok "requests counter still 0"
else
	not_ok "requests counter still 0" "requests = ${n:-?}" \
		"$(cat "$TMPD/show.json" 2>/dev/null)"
fi

# arp_ignore=0 ("ARP flux"): the kernel answers for lo's addresses on any
# device. A plain lo address gets a reply from each adapter, by the
# kernel; the VIP, also on lo, must still get exactly one per adapter.
srv sysctl -qw net.ipv4.conf.all.arp_ignore=0
for i in a1 a2 a3 a4; do
	srv sysctl -qw "net.ipv4.conf.$i.arp_ignore=0"
done
srv ip addr add "$VIP3/32" dev lo
check_replies "arp_ignore=0: the kernel answers plain lo address $VIP3" \
	"$(arp_request "$VIP3")" a1 a2 a3
check_replies "arp_ignore=0: still one reply per adapter for $VIP1" \
	"$(arp_request "$VIP1")" a1 a2 a3
REPLY_IFACE=c4 check_replies \
	"arp_ignore=0: non-member a4 left to the kernel (its own reply only)" \
	"$(arp_request "$VIP1" --iface c4 --listen c0,c4)" a4
srv sysctl -qw net.ipv4.conf.all.arp_ignore=1

# Requests we must not answer: a gratuitous ARP for the VIP, and a
# request whose sender MAC is one of our members (our own frames heard
# back). The spoofed one goes last: it teaches the bridge a2's MAC on the
# client's port.
replies=$(arp_request "$VIP1" --gratuitous)
if [ -z "$replies" ]; then
	ok "no reply to a gratuitous ARP for $VIP1"
else
	not_ok "no reply to a gratuitous ARP for $VIP1" "$replies"
fi
replies=$(arp_request "$VIP1" --src-mac "$(mac "$SRV" a2)")
if [ -z "$replies" ]; then
	ok "no reply to a request with a2's MAC as sender"
else
	not_ok "no reply to a request with a2's MAC as sender" "$replies"
fi

finish
