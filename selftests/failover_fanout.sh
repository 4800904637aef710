#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A failover of thousands of VIPs sends every gratuitous ARP it owes: the
# announcement work paces itself by the transmit queues instead of
# overflowing them. 5,000 VIPs on a1 a2 a3, garp_count 2; a1 loses carrier.
# The two survivors owe 5,000 x 2 x 2 = 20,000 frames. veth drops a frame
# when its peer's receive backlog (1,000 frames) is full, so without
# pacing most of them would be lost.
#
# Then a newer failover cuts a round short: a2 fails while the round for
# a1's failure is going, and a3 starts over for all VIPs at once rather
# than after that round.

source "$(dirname "$0")/lib.sh"

NVIPS=5000
COUNT=2
OWED=$((NVIPS * 2 * COUNT))

require_all
tap_header

setup_or_finish setup_topology
mapfile -t vips < <(for ((i = 0; i < NVIPS; i++)); do
	echo "10.77.$((i / 250)).$((i % 250 + 1))"
done)
check "group with a1 a2 a3 (garp_count $COUNT)" \
	vipctl group add fan --dev a1,a2,a3 --garp-count "$COUNT" \
	--garp-interval 100
check "$NVIPS VIPs added in one command" \
	vipctl vip add fan --no-local "${vips[@]}"

# stat NAME: a counter of the group
stat()
{
	vipctl show fan --json --stats >"$TMPD/show.json" &&
		json_value "$TMPD/show.json" "j['groups'][0]['stats']['$1']"
}

# rx_switch [PORT...]: frames the switch received from the survivors, or
# on the ports given
rx_switch()
{
	sw awk -v ports="${*:-p2 p3}" '
		BEGIN { split(ports, p); for (i in p) want[p[i] ":"] = 1 }
		$1 in want { n += $3 } END { print n + 0 }' /proc/net/dev
}

garps_owed() { [ "$(stat garps)" -ge "$OWED" ]; }

sw0=$(rx_switch)
fail_adapter carrier-loss a1
if wait_for 120 garps_owed; then
	ok "carrier loss of a1: the garps counter reached $OWED"
else
	not_ok "carrier loss of a1: the garps counter reached $OWED" \
		"garps $(stat garps), tx_errors $(stat tx_errors)"
fi
# Let a round that overshoots show up before counting.
sleep 1
garps=$(stat garps)
errors=$(stat tx_errors)
sw=$(($(rx_switch) - sw0))
if [ "$garps" = "$OWED" ] && [ "$errors" = 0 ] && [ "$sw" -ge "$OWED" ]; then
	ok "every frame left: $garps sent, 0 lost, $sw at the switch"
else
	not_ok "every frame left" \
		"sent $garps, lost $errors, at the switch $sw; owed $OWED"
fi

# A round cut short. One round (garp_count 1): a1 and a2 fail a few ms
# apart, far less than the 10,000 frames of a1's round take. a3 must
# announce every VIP after a2's failure; restarting, it sends what it had
# sent of the first round plus one full round, fewer than two rounds
# (waiting for the first round to end would make it two full rounds).
check "a1 back" recover_adapter carrier-loss a1
check "a1 reported up" wait_for 10 dev_state_is fan a1 up
check "group set --garp-count 1" vipctl group set fan --garp-count 1
g0=$(stat garps)
a3_0=$(rx_switch p3)
printf 'link set p1 down\nlink set p2 down\n' | ip -n "$SW" -batch -
# settled: the garps counter stands still for half a second
settled()
{
	local g

	g=$(stat garps) && sleep 0.5 && [ "$(stat garps)" = "$g" ]
}
check "a1 and a2 reported no-carrier" wait_for 10 bash -c "
	ip netns exec $SRV $VIPCTL show fan --json | grep -o no-carrier |
	wc -l | grep -qx 2"
check "the announcement ends" wait_for 120 settled
a3=$(($(rx_switch p3) - a3_0))
garps=$(($(stat garps) - g0))
if [ "$a3" -ge "$NVIPS" ] && [ "$a3" -lt $((2 * NVIPS)) ] &&
   [ "$garps" -lt $((3 * NVIPS)) ]; then
	ok "a2 failed mid-round: a3 started over at once ($a3 frames from a3, $garps in all, for $NVIPS VIPs)"
else
	not_ok "a2 failed mid-round: a3 started over at once" \
		"frames from a3: $a3 (want $NVIPS to $((2 * NVIPS - 1))), garps: $garps"
fi

finish
