#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A failover of thousands of VIPs sends every gratuitous ARP it owes: the
# announcement work paces itself by the transmit queues instead of
# overflowing them. 5,000 VIPs on a1 a2 a3, garp_count 2; a1 loses carrier.
# The two survivors owe 5,000 x 2 x 2 = 20,000 frames. veth drops a frame
# when its peer's receive backlog (1,000 frames) is full, so without
# pacing most of them would be lost.

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

# rx_switch: frames the switch received from the survivors
rx_switch()
{
	sw awk '$1 == "p2:" || $1 == "p3:" { n += $3 } END { print n }' \
		/proc/net/dev
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

finish
