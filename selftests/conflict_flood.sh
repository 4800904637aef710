#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flood of frames that claim a VIP, each from a sender MAC never seen
# before, on a server with thousands of other devices in its namespace.
# Whether a claim's MAC is one of the host's own takes a walk over every
# device of the namespace; vipfo does it only for a claim it would answer
# and a bounded number of times a second per group, so the claim flood
# costs the host about what the same flood costs when it claims nothing
# (a control, sent just before and after, in the same run). Every claim
# is still counted, and the VIP is defended (announced again).

source "$(dirname "$0")/lib.sh"

require_all
require_cmd trafgen
tap_header

NDEV=${VIPFO_CLAIM_DEVS:-3000}	# dummy devices besides the members
FLOOD_N=2000			# frames in a flood
FLOOD_GAP=1ms			# between them (trafgen manages fewer in TCG)
# The claim flood may cost at most RATIO_MAX times the control's softirq
# time. Measured in TCG: about 1; 21 times when every copy of a claim
# walked the devices (3 walks of 3,000 a frame).
RATIO_MAX=3
OTHER_IP=192.0.2.50		# the target of both floods: nobody
CONTROL_IP=192.0.2.51		# the control's sender: not a VIP

setup_or_finish setup_topology

t0=$(now_ms)
for ((i = 0; i < NDEV; i++)); do
	echo "link add vd$i type dummy"
done | ip -n "$SRV" -b -
n=$(ip -n "$SRV" -o link show type dummy | wc -l)
check "$n dummy devices in the server's namespace ($(($(now_ms) - t0)) ms)" \
	test "$n" -eq "$NDEV"
check "group with a1 a2 a3, $VIP1" \
	vipctl group add web --dev a1,a2,a3 --vip "$VIP1"

J="$TMPD/stats.json"
# counters: the group's conflicts and garps counters
counters()
{
	vipctl show web --json --stats >"$J" &&
		json_value "$J" "(lambda s: f\"{s['conflicts']} {s['garps']}\")(j['groups'][0]['stats'])"
}

# frames FILE SENDER_IP: an ARP request who-has OTHER_IP tell SENDER_IP,
# broadcast from the client, its sender MAC 02:00:5e:10:xx:xx random for
# each frame (the Ethernet source stays the client's).
client_mac=$(mac "$CLI" c0)
hexmac=0x${client_mac//:/,0x}
frames()
{
	cat >"$1" <<EOF
{ 0xff,0xff,0xff,0xff,0xff,0xff, $hexmac, c16(0x0806),
  c16(1), c16(0x0800), 6, 4, c16(1), 0x02,0x00,0x5e,0x10, drnd(2), ${2//./,},
  0,0,0,0,0,0, ${OTHER_IP//./,}, fill(0, 18) }
EOF
}
frames "$TMPD/claim.cfg" "$VIP1"
frames "$TMPD/control.cfg" "$CONTROL_IP"

# cpu: CPU time spent by all CPUs so far, in ticks: "softirq busy" (busy:
# all but idle and iowait). The ARP hook runs in softirq.
cpu()
{
	awk '$1 == "cpu" { print $8, $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# flood CFG: FLOOD_N frames of CFG from the client; prints the ticks the
# whole host spent meanwhile in softirq and in all, and the flood's
# duration in ms
flood()
{
	local s0 b0 s1 b1 t0 t1

	slowwait 10 bash -c "ip -n $CLI link show c0 | grep -q 'state UP'"
	read -r s0 b0 < <(cpu)
	t0=$(now_ms)
	trafgen_in "$CLI" -o c0 -i "$1" -n "$FLOOD_N" -t "$FLOOD_GAP" -P 1 -q \
		>"$TMPD/trafgen.out" 2>"$TMPD/trafgen.err" ||
		echo "trafgen failed (exit $?): $(cat "$TMPD/trafgen.err")" >&2
	read -r s1 b1 < <(cpu)
	t1=$(now_ms)
	echo "$((s1 - s0)) $((b1 - b0)) $((t1 - t0))"
}

read -r c0 g0 <<<"$(counters)"
read -r ctl1 all1 ms1 < <(flood "$TMPD/control.cfg")
read -r c1 g1 <<<"$(counters)"
read -r clm all2 ms2 < <(flood "$TMPD/claim.cfg")
read -r c2 g2 <<<"$(counters)"
read -r ctl2 all3 ms3 < <(flood "$TMPD/control.cfg")
read -r c3 g3 <<<"$(counters)"
diag "CPU ticks (1/$(getconf CLK_TCK) s, all CPUs) in softirq / in all:" \
	"control $ctl1 / $all1 in $ms1 ms, claims $clm / $all2 in $ms2 ms," \
	"control $ctl2 / $all3 in $ms3 ms;" \
	"conflicts counted: $((c1 - c0)), $((c2 - c1)), $((c3 - c2));" \
	"gratuitous ARPs: $((g1 - g0)), $((g2 - g1)), $((g3 - g2))"

check "the control claims nothing" test "$c1" -eq "$c0" -a "$c3" -eq "$c2"
# The group counts each claim once; a sibling copy taken for a new frame
# (the cache of recent frames is lossy) may count once more.
claims=$((c2 - c1))
check "every claim counted ($claims of $FLOOD_N)" \
	test "$claims" -ge $((FLOOD_N * 9 / 10)) -a "$claims" -le $((FLOOD_N * 101 / 100))
# Defended all along: a1 a2 a3 announce the VIP once a second at most.
garps=$((g2 - g1)) max=$((3 * (ms2 / 1000 + 2)))
check "$VIP1 defended: $garps gratuitous ARPs in $ms2 ms (3..$max)" \
	test "$garps" -ge 3 -a "$garps" -le "$max"
# Ticks are 10 ms: a control of one or two is mostly rounding, so it
# counts as three at least (a bound of 9 ticks, 90 ms of 2.7 s).
ctl=$(((ctl1 + ctl2 + 1) / 2))
[ "$ctl" -ge 3 ] || ctl=3
if [ "$clm" -le $((RATIO_MAX * ctl)) ]; then
	ok "claim flood costs $clm ticks, at most $RATIO_MAX x the control's $ctl"
else
	not_ok "claim flood costs at most $RATIO_MAX x the control" \
		"claims: $clm ticks; control: $ctl ticks (mean of $ctl1, $ctl2)"
fi

finish
