#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A failover of thousands of VIPs delivers every gratuitous ARP it owes,
# whatever qdisc the survivors have: the announcement work keeps only a few
# of its frames queued on each member instead of flooding the queues.
# $NVIPS VIPs on a1 a2 a3; a1 loses carrier; a2 and a3 owe a frame per VIP
# per round each, counted where they arrive (a tc counter of ARP frames
# at the switch ports p2 p3, or at the client on the NICs). Variants:
#
# - noqueue (veth's default): a full peer backlog drops a frame and says so;
# - pfifo_fast, fq_codel on veth: the queue hands frames to veth at once,
#   and veth drops what the peer's backlog cannot take without telling the
#   queue, so the sender never hears of it;
# - shaped: a2 behind tbf at 1 Mbit/s with fq_codel under it, where CoDel
#   drops at dequeue frames that waited too long; a3 behind tbf at
#   10 Mbit/s with fq_codel, busy with a UDP stream;
# - congested: a2 behind tbf with an fq_codel holding 4 frames, fewer than
#   a member may queue: fq_codel drops the oldest of ours and says
#   NET_XMIT_CN, and those VIPs are sent again (a capture checks each one);
# - fq_codel (Debian's default qdisc) and pfifo_fast on the VM's virtio-net
#   NICs (scripts/vm-run --nics 4; skipped without them), whose frames
#   stay charged to the member until the device has sent them.
#
# Then a newer failover cuts a round short: a2 fails while the round for
# a1's failure is going, and a3 starts over for all VIPs at once rather
# than after that round. Last, VIPs deleted mid-round, where the round
# stands: it goes on with the VIPs after them.
#
# VIPs added are announced by the same paced rounds, from every member:
# all of them when they come with the group, only the new ones when a
# group that has thousands gets a few more.

source "$(dirname "$0")/lib.sh"

NVIPS=${VIPFO_FANOUT_VIPS:-2000}
NVIPS_NIC=${VIPFO_FANOUT_NIC_VIPS:-1000}

require_all
require_cmd tc tcpdump socat
tap_header

setup_or_finish setup_topology
mapfile -t vips < <(for ((i = 0; i < NVIPS; i++)); do
	echo "10.77.$((i / 250)).$((i % 250 + 1))"
done)
# The cases fail and restore a1 one after the other: with flap damping
# each return would be held down longer (up to 32 s); no hold-down here.
check "group with a1 a2 a3, one round, no hold-down" \
	vipctl group add fan --dev a1,a2,a3 --garp-count 1 --up-delay 0
check "$NVIPS VIPs added in one command" \
	vipctl vip add fan --no-local "${vips[@]}"

# counter NAME: a counter of the group
counter()
{
	vipctl show fan --json --stats >"$TMPD/show.json" &&
		json_value "$TMPD/show.json" "j['groups'][0]['stats']['$1']"
}

# settled CMD...: the output of CMD (counters) stands still for half a second
settled()
{
	local before

	before=$("$@") && sleep 0.5 && [ "$("$@")" = "$before" ]
}

# announced DESC OWED: the announcement ends with OWED garps in all, none
# lost
announced()
{
	local g e

	if ! slowwait "$(hang_limit 120)" settled counter garps; then
		not_ok "$1" "garps still growing: $(counter garps)"
		return
	fi
	g=$(counter garps) e=$(counter tx_errors)
	if [ "$g" = "$2" ] && [ "$e" = 0 ]; then
		ok "$1"
	else
		not_ok "$1" "garps $g, tx_errors $e; want $2 and 0"
	fi
}

announced "vip add: a1 a2 a3 announced each of the $NVIPS VIPs once" \
	$((3 * NVIPS))

# count_arp NS DEV...: count the ARP frames each DEV receives (tc ingress)
count_arp()
{
	local ns=$1 d

	shift
	for d in "$@"; do
		tc -n "$ns" qdisc add dev "$d" clsact &&
			tc -n "$ns" filter add dev "$d" ingress protocol arp \
				pref 1 matchall action pass || return 1
	done
}

# arp_in NS DEV: ARP frames DEV received so far
arp_in()
{
	tc -n "$1" -s filter show dev "$2" ingress |
		awk '$1 == "Sent" { n += $4 } END { print n + 0 }'
}

# rx_switch [PORT...]: frames the switch received from the survivors, or
# on the ports given
rx_switch()
{
	sw awk -v ports="${*:-p2 p3}" '
		BEGIN { split(ports, p); for (i in p) want[p[i] ":"] = 1 }
		$1 in want { n += $3 } END { print n + 0 }' /proc/net/dev
}

# group_counts: the group's garps and tx_errors
group_counts()
{
	vipctl show fan --json --stats |
		grep -o '"\(garps\|tx_errors\)":[0-9]*' | head -n 2 |
		cut -d: -f2 | tr '\n' ' '
	echo
}

# arp_counts NS DEV...: the ARP frames each DEV of NS received
arp_counts()
{
	local ns=$1 d

	shift
	for d in "$@"; do
		echo -n "$(arp_in "$ns" "$d") "
	done
	echo
}

# wait_arrived NS OWED DEV...: until each DEV of NS received OWED ARP
# frames more than in $base (the caller's), or none arrives for 10 s: a
# frame that is not there by then was lost.
wait_arrived()
{
	local ns=$1 owed=$2 now last= idle deadline i n

	shift 2
	idle=$(now_ms)
	deadline=$((idle + $(hang_limit 120) * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		read -r -a now < <(arp_counts "$ns" "$@")
		n=0
		for ((i = 0; i < $#; i++)); do
			[ "${now[i]}" -ge $((base[i] + owed)) ] && n=$((n + 1))
		done
		[ "$n" = $# ] && return 0
		if [ "${now[*]}" != "$last" ]; then
			last=${now[*]}
			idle=$(now_ms)
		fi
		[ $(($(now_ms) - idle)) -ge $(($(hang_limit 10) * 1000)) ] &&
			return 1
		sleep 0.1
	done
	return 1
}

# failover DESC NS OWED HOW DEV...: a1 fails (HOW: carrier-loss or
# admin-down), each survivor owes OWED frames at its DEV of NS; checks
# that every one arrived, once (CMP=-ge: at least once), none was counted
# lost, then brings a1 back.
failover()
{
	local desc=$1 ns=$2 owed=$3 how=$4 g0 e0 g e start ms i bad= cmp=${CMP:-=}
	local -a base got

	shift 4
	read -r g0 e0 < <(group_counts)
	read -r -a base < <(arp_counts "$ns" "$@")
	start=$(now_ms)
	fail_adapter "$how" a1
	wait_arrived "$ns" "$owed" "$@"
	ms=$(($(now_ms) - start))
	sleep 0.5	# a round that overshoots would show by now
	read -r g e < <(group_counts)
	read -r -a got < <(arp_counts "$ns" "$@")
	# Exactly: a frame sent twice would hide one lost.
	[ $((g - g0)) "$cmp" $(($# * owed)) ] && [ "$e" = "$e0" ] ||
		bad="garps $((g - g0)), tx_errors $((e - e0)), owed $(($# * owed));"
	for ((i = 0; i < $#; i++)); do
		[ $((got[i] - base[i])) "$cmp" "$owed" ] ||
			bad="$bad ${*:i+1:1} received $((got[i] - base[i])) of $owed;"
	done
	[ "$cmp" = = ] ||
		diag "$desc: $((g - g0 - $# * owed)) frames sent again"
	if [ -z "$bad" ]; then
		ok "$desc: all $(($# * owed)) frames arrived ($owed at $*) in $ms ms, none lost"
	else
		not_ok "$desc: every frame arrived" "$bad"
	fi
	case $how in
	carrier-loss)	recover_adapter "$how" a1 ;;
	*)		ip -n "$SRV" link set a1 up ;;
	esac
	slowwait 20 dev_state_is fan a1 up || not_ok "$desc: a1 back up"
}

# qdisc NS QDISC DEV...: QDISC at the root of each DEV
qdisc()
{
	local ns=$1 q=$2 d

	shift 2
	for d in "$@"; do
		tc -n "$ns" qdisc replace dev "$d" root $q || return 1
	done
}

# shaped NS DEV RATE [OPTION...]: DEV behind tbf at RATE with fq_codel
# (and its OPTIONs) under it
shaped()
{
	tc -n "$1" qdisc replace dev "$2" root handle 1: tbf rate "$3" \
		burst 1600 latency 100ms &&
		tc -n "$1" qdisc replace dev "$2" parent 1:1 fq_codel "${@:4}"
}

check "ARP frames counted at p2 p3" count_arp "$SW" p2 p3

for q in noqueue pfifo_fast fq_codel; do
	check "$q on a2 a3" qdisc "$SRV" "$q" a2 a3
	failover "veth, $q" "$SW" "$NVIPS" carrier-loss p2 p3
done

# A UDP stream out of a3, to the bridge's own MAC: the switch drops it.
udp_route()
{
	printf '%s\n' "addr add 198.51.100.2/32 dev lo" \
		"route add 198.51.100.1/32 dev a3" \
		"neigh replace 198.51.100.1 lladdr $(mac "$SW" br0) nud permanent dev a3" |
		ip -n "$SRV" -b -
}

# udp_flows: the stream fills a3's queue
udp_flows() { tc -n "$SRV" -s qdisc show dev a3 | grep -q 'backlog [1-9]'; }

slow() { shaped "$SRV" a2 1mbit && shaped "$SRV" a3 10mbit; }

check "a2 at 1 Mbit/s, a3 at 10 Mbit/s (tbf, fq_codel under it)" slow
check "a route for a UDP stream out of a3" udp_route
bg ip netns exec "$SRV" socat -u -b 8000 /dev/zero UDP4-SENDTO:198.51.100.1:9
udp=$BG_PID
check "a UDP stream out of a3" slowwait 10 udp_flows
failover "veth, shaped: a2 slow, a3 slow and busy" "$SW" "$NVIPS" carrier-loss p2 p3
kill "$udp"

# capture_from IF PORT: record the frames that server adapter IF
# announces, as the switch's PORT receives them, until capture_end
capture_from()
{
	bg ip netns exec "$SW" tcpdump -ni "$2" -B 4096 -U -w "$TMPD/cap.pcap" \
		"arp and ether src $(mac "$SRV" "$1")" 2>"$TMPD/cap.err"
	CAP_PID=$BG_PID
	slowwait 30 grep -q "listening on" "$TMPD/cap.err"
}

# capture_end: once tcpdump has written what it got, the VIPs seen, one
# a line, into $TMPD/seen
capture_end()
{
	slowwait 30 settled command stat -c %s "$TMPD/cap.pcap" ||
		diag "the capture goes on growing"
	kill "$CAP_PID"
	wait "$CAP_PID" 2>/dev/null
	tcpdump -nr "$TMPD/cap.pcap" 2>/dev/null |
		grep -o 'who-has [0-9.]*' | cut -d' ' -f2 >"$TMPD/seen"
}

# A queue smaller than what a member may queue: fq_codel drops the oldest
# frames of the fattest flow, ours, and says NET_XMIT_CN. Those VIPs are
# sent again, so some twice: the capture at p2 must hold every one.
congested() { shaped "$SRV" a2 100kbit limit 4 && qdisc "$SRV" noqueue a3; }

check "a2 at 100 kbit/s, fq_codel under it holding 4 frames; noqueue on a3" \
	congested
capture_from a2 p2 && ok "tcpdump listens on p2" ||
	not_ok "tcpdump listens on p2" "$(cat "$TMPD/cap.err")"
CMP=-ge failover "veth, congested" "$SW" "$NVIPS" carrier-loss p2 p3
capture_end
n=$(sort -u "$TMPD/seen" | wc -l)
if [ "$n" = "$NVIPS" ]; then
	ok "veth, congested: a2 announced every one of the $NVIPS VIPs"
else
	not_ok "veth, congested: a2 announced every VIP" "$n of $NVIPS seen at p2"
fi
check "noqueue on a2 a3 again" qdisc "$SRV" noqueue a2 a3

# A few VIPs more: only they are announced, by every member, although
# the round is the work's (3 x 100 frames) and starts among thousands.
mapfile -t more < <(for ((i = 1; i <= 100; i++)); do echo "10.78.0.$i"; done)
capture_from a3 p3 && ok "tcpdump listens on p3" ||
	not_ok "tcpdump listens on p3" "$(cat "$TMPD/cap.err")"
g0=$(counter garps)
check "100 VIPs more" vipctl vip add fan --no-local "${more[@]}"
announced "vip add: a1 a2 a3 announced each of the 100 new VIPs once" \
	$((g0 + 300))
capture_end
if diff <(printf '%s\n' "${more[@]}" | sort) <(sort "$TMPD/seen") >"$TMPD/diff"; then
	ok "vip add: a3 announced the 100 new VIPs, once each, and no other"
else
	not_ok "vip add: a3 announced the 100 new VIPs, once each, and no other" \
		"$(head -n 20 "$TMPD/diff")"
fi
check "the 100 VIPs deleted" vipctl vip del fan --no-local "${more[@]}"

# VIPs added while the rounds of those added before are under way: one
# command of 5,000 VIPs, which vipctl sends as five requests of 1,000,
# each asking for its VIPs' rounds as it ends, and three rounds a second
# apart. Each VIP gets its three rounds, from every member, and no more:
# rounds under way cover the VIPs there when they began, and VIPs added
# after them wait for rounds of their own. (They used to join the rounds
# pending, which then began again from the first VIP: those the first
# round had announced got one round more, 4,911 frames too many here, as
# in the bench's 94,911 for the 90,000 that 10,000 VIPs owe.)
# And the rounds stay garp_interval apart: a request that came while the
# work sent a round used to queue the work again, which then sent the next
# round as soon as that one ended (426 ms after it began, once). The first
# VIP of the first request, seen at p3: its three updates come from rounds
# that began garp_interval apart (less a jiffy of the work's timer: 20 ms
# of margin).
mapfile -t many < <(for ((i = 0; i < 5000; i++)); do
	echo "10.79.$((i / 250)).$((i % 250 + 1))"
done)
check "group set fan --garp-count 3 --garp-interval 1000" \
	vipctl group set fan --garp-count 3 --garp-interval 1000
capture_from a3 p3 && ok "tcpdump listens on p3" ||
	not_ok "tcpdump listens on p3" "$(cat "$TMPD/cap.err")"
g0=$(counter garps)
check "5,000 VIPs more, in one command" vipctl vip add fan --no-local "${many[@]}"
announced "vip add of 5,000 in five requests: a1 a2 a3 announced each 3 times" \
	$((g0 + 45000))
capture_end
tcpdump -tt -nr "$TMPD/cap.pcap" 2>/dev/null |
	awk -v v="${many[0]}" '$0 ~ "who-has " v " " { print $1 }' >"$TMPD/first"
check "vip add of 5,000: ${many[0]} announced 3 times at p3, 1 s apart" \
	awk 'NR > 1 { if ($1 - t < 0.980) bad = 1; print $1 - t }
	     { t = $1 } END { exit bad || NR != 3 }' "$TMPD/first"
diag "${many[0]} at p3 after: $(awk 'NR > 1 { printf "%.0f ms ", ($1 - t) * 1000 } { t = $1 }' "$TMPD/first")"
check "the 5,000 VIPs deleted" vipctl vip del fan --no-local "${many[@]}"
check "group set fan --garp-count 1 --garp-interval 200" \
	vipctl group set fan --garp-count 1 --garp-interval 200

# A round cut short. One round (garp_count 1): a1 and a2 fail a few ms
# apart, far less than the frames of a1's round take. a3 must announce
# every VIP after a2's failure; restarting, it sends what it had sent of
# the first round plus one full round, fewer than two rounds (waiting for
# the first round to end would make it two full rounds).
g0=$(counter garps)
a3_0=$(rx_switch p3)
printf 'link set p1 down\nlink set p2 down\n' | ip -n "$SW" -batch -
check "a1 and a2 reported no-carrier" slowwait 10 bash -c "
	ip netns exec $SRV $VIPCTL show fan --json | grep -o no-carrier |
	wc -l | grep -qx 2"
check "the announcement ends" slowwait 120 settled counter garps
a3=$(($(rx_switch p3) - a3_0))
garps=$(($(counter garps) - g0))
if [ "$a3" -ge "$NVIPS" ] && [ "$a3" -lt $((2 * NVIPS)) ] &&
   [ "$garps" -lt $((3 * NVIPS)) ]; then
	ok "a2 failed mid-round: a3 started over at once ($a3 frames from a3, $garps in all, for $NVIPS VIPs)"
else
	not_ok "a2 failed mid-round: a3 started over at once" \
		"frames from a3: $a3 (want $NVIPS to $((2 * NVIPS - 1))), garps: $garps"
fi

# VIPs deleted mid-round. The round copies the VIPs a few dozen at a
# time and finds its place again by the last one copied: when those are
# gone, it must go on with the VIPs after them, not skip any, nor stop.
# a2 at 50 kbit/s sets the pace (about 150 VIPs a second); once a3 has
# sent $FIRST frames, the first $GONE VIPs are deleted, the round's place
# among them; a3 must still announce every VIP after them.
FIRST=100
GONE=1500
check "a1 and a2 back" bash -c "ip -n $SW link set p1 up && ip -n $SW link set p2 up"
check "a1 a2 reported up" slowwait 10 states_are fan a1=up a2=up
check "a2 at 50 kbit/s" shaped "$SRV" a2 50kbit
capture_from a3 p3 && ok "tcpdump listens on p3" ||
	not_ok "tcpdump listens on p3" "$(cat "$TMPD/cap.err")"
p3_0=$(arp_in "$SW" p3)
# started: a3 has announced $FIRST VIPs
started() { [ "$(arp_in "$SW" p3)" -ge $((p3_0 + FIRST)) ]; }
fail_adapter carrier-loss a1
check "a3 announced $FIRST VIPs" slowwait 60 started
check "VIPs 1 to $GONE deleted in one command" \
	vipctl vip del fan --no-local "${vips[@]:0:GONE}"
diag "deleted once a3 had sent $(($(arp_in "$SW" p3) - p3_0)) frames"
check "the announcement ends" slowwait 60 settled counter garps
capture_end
n=$(comm -12 <(printf '%s\n' "${vips[@]:GONE}" | sort) <(sort -u "$TMPD/seen") |
	wc -l)
if [ "$n" = $((NVIPS - GONE)) ]; then
	ok "a3 announced every one of the $((NVIPS - GONE)) VIPs left"
else
	not_ok "a3 announced every VIP left" "$n of $((NVIPS - GONE)) seen"
fi

# ---------------------------------------------------------------- NICs

# The same on virtio-net: eth0-eth2 become a1-a3 of a new server
# namespace, eth3 the client's c0, qemu's hub the switch (topology.sh; the
# cleanup gives the NICs back for the tests after).
setup_nics()
{
	SRV=nsrv-$SUFFIX CLI=ncli-$SUFFIX
	setup_nic_links && count_arp "$CLI" c0
}

# Only NICs handed over (VIPFO_NICS, as require_nics): on another host eth0...
# are its own.
if [ "${VIPFO_NICS:-0}" -lt 4 ]; then
	skip "virtio-net NICs" "needs 4 spare NICs, given by scripts/vm-run --nics 4"
	finish
elif [ ! -d /sys/class/net/eth3 ]; then
	not_ok "virtio-net NICs" "scripts/vm-run --nics $VIPFO_NICS, but no eth3"
	finish
fi
if setup_nics; then
	check "group with the NICs a1 a2 a3" \
		vipctl group add fan --dev a1,a2,a3 --garp-count 1 --up-delay 0
	check "$NVIPS_NIC VIPs added" \
		vipctl vip add fan --no-local "${vips[@]:0:NVIPS_NIC}"
	announced "vip add: a1 a2 a3 announced each of the $NVIPS_NIC VIPs once" \
		$((3 * NVIPS_NIC))
	for q in fq_codel pfifo_fast; do
		check "$q on the NICs a2 a3" qdisc "$SRV" "$q" a2 a3
		failover "virtio-net, $q" "$CLI" $((2 * NVIPS_NIC)) admin-down c0
	done
else
	not_ok "NIC topology set up" "$(ip -br link 2>&1)"
fi
finish
