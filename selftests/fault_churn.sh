#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault matrix, configuration: groups, devices and VIPs added and removed
# in loops by several processes at once, while adapters flap and the
# client floods ARP requests; then 100,000 VIPs in one group.
#
# Four vipctl loops run side by side for $VIPFO_CHURN_SECS seconds:
#   g1      a group of its own, created and deleted each turn (local VIPs,
#           devices and options changing in between);
#   g2      a group of its own whose member t2 (a veth) is created, loses
#           carrier (an announcement of 200 VIPs) and is deleted each turn;
#   shared  (two loops) a group both change at once, contending for the
#           member a2, a group "race" and the VIP 10.9.0.1 between them,
#           each with VIPs of its own.
# Every command of a loop must succeed, except those the other loop may
# have beaten (vipctl's refusal is then one of the expected messages). A
# fifth loop dumps all groups and checks each dump is consistent. Each
# loop ends by setting a known configuration, so that the end state is
# known whatever the interleaving: `vipctl show` and the VIPs on lo must
# equal it.
#
# 100,000 VIPs (--no-local, 1,000 per argument, one command): added, shown
# (counted), failed over once (every one announced, none lost) and
# deleted with their group. Needs a VM with 2 GB (scripts/vm-run --mem 2048).

source "$(dirname "$0")/lib.sh"
source "$SELFTEST_DIR/fault_lib.sh"

CHURN_SECS=${VIPFO_CHURN_SECS:-60}
NBIG=100000
FLOOD_PPS=2000
EVENTS=$TMPD/events
STOP=$TMPD/stop
# What vipctl says when another loop got there first.
CONTENDED='group already exists|no such group|device is already a member of this group|device is not a member of this group|device is a member of another group|VIP belongs to another group|VIP is already in this group|VIP is not in this group'

require_all
require_scapy
require_cmd mausezahn
tap_header

setup_or_finish setup_topology
for i in 5 6 7; do
	add_adapter "a$i" "p$i" || not_ok "adapter a$i set up"
done
monitor_start "$SRV" "$EVENTS" || not_ok "vipctl monitor receives events"
check "group shared: a1 a3 and $VIP1" \
	vipctl group add shared --dev a1,a3 --vip "$VIP1"

# seq_list PREFIX FIRST LAST: PREFIX.FIRST,...,PREFIX.LAST
seq_list()
{
	seq -s , -f "$1.%g" "$2" "$3"
}

loop_g1()
{
	local log=$TMPD/loop-g1 i=0

	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		op "$log" '' group add g1 --dev a5 --vip 10.1.0.1,10.1.0.2
		op "$log" '' vip add g1 10.1.0.3 10.1.0.4
		op "$log" '' dev add g1 a6
		op "$log" '' group set g1 --garp-count $((i % 5 + 1)) \
			--garp-interval $((i % 5 * 10 + 10)) --carrier-poll $((i % 3))
		op "$log" '' vip del g1 10.1.0.3
		op "$log" '' dev del g1 a5
		op "$log" '' group del g1
	done
	op "$log" '' group add g1 --dev a5,a6 --vip 10.1.0.1,10.1.0.2 \
		--garp-count 7 --garp-interval 70 --carrier-poll 10
}

loop_g2()
{
	local log=$TMPD/loop-g2 all half

	all=$(seq_list 10.2.0 1 200)
	half=$(seq_list 10.2.0 1 100)
	while [ ! -e "$STOP" ]; do
		ip_op "$log" link add t2 type veth peer name t2p
		ip_op "$log" link set t2 up
		ip_op "$log" link set t2p up
		op "$log" '' group add g2 --dev a7,t2 --garp-count 1 \
			--garp-interval 10 --no-local --vip "$all"
		ip_op "$log" link set t2p down
		op "$log" '' vip del g2 --no-local "$half"
		ip_op "$log" link del t2
		op "$log" '' dev del g2 a7
		op "$log" '' group del g2
	done
	ip_op "$log" link add t2 type veth peer name t2p
	ip_op "$log" link set t2 up
	ip_op "$log" link set t2p up
	op "$log" '' group add g2 --dev a7,t2 --garp-count 1 --garp-interval 10 \
		--no-local --vip "$(seq_list 10.2.0 1 50)"
}

# The two loops on "shared": a2, the group "race" and 10.9.0.1 are
# contended; each ends by removing what is contended, so that whichever
# ends last, none of it is left.
loop_s3()
{
	local log=$TMPD/loop-s3 i=0 v

	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		v=10.3.0.$((i % 10 + 6))
		op "$log" "$CONTENDED" dev add shared a2
		op "$log" '' vip add shared "$v"
		op "$log" "$CONTENDED" group add race --no-local --vip 10.9.0.1
		op "$log" "$CONTENDED" vip add shared --no-local 10.9.0.1
		op "$log" '' group set shared --garp-count $((i % 9 + 1))
		op "$log" "$CONTENDED" dev del shared a2
		op "$log" '' vip del shared "$v"
		op "$log" "$CONTENDED" vip del shared --no-local 10.9.0.1
		op "$log" "$CONTENDED" group del race
	done
	op "$log" '' vip add shared "$(seq_list 10.3.0 1 5)"
	op "$log" "$CONTENDED" dev del shared a2
	op "$log" "$CONTENDED" vip del shared --no-local 10.9.0.1
	op "$log" "$CONTENDED" group del race
	op "$log" '' group set shared --garp-count 4 --garp-interval 40
}

loop_s4()
{
	local log=$TMPD/loop-s4 i=0 vips

	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		vips=$(seq_list "10.4.$((i % 2))" 1 50)
		op "$log" "$CONTENDED" dev add shared a2
		op "$log" '' vip add shared --no-local "$vips"
		op "$log" '' dev del shared a3
		op "$log" "$CONTENDED" group add race --no-local --vip 10.9.0.1
		op "$log" '' dev add shared a3
		op "$log" '' group set shared --garp-interval $((i % 9 * 10 + 10))
		op "$log" "$CONTENDED" dev del shared a2
		op "$log" '' vip del shared --no-local "$vips"
		op "$log" "$CONTENDED" group del race
	done
	op "$log" "$CONTENDED" dev del shared a2
	op "$log" "$CONTENDED" group del race
	op "$log" '' group set shared --garp-count 4 --garp-interval 40
}

# Dumps while everything changes: each must succeed and be consistent:
# a group's VIP count is the number of VIPs it lists, each once (awk on
# the one-line JSON; a Python process per dump would slow the loop down).
loop_dump()
{
	local log=$TMPD/loop-dump f=$TMPD/dump.json out rc

	while [ ! -e "$STOP" ]; do
		out=$(timeout 60 "$VIPCTL" show --json 2>&1 >"$f")
		rc=$?
		if [ "$rc" != 0 ]; then
			printf 'fail %s show --json\n  %s\n' "$rc" "$out" >>"$log"
			continue
		fi
		out=$(awk 'BEGIN { RS = "\\{\"name\":" } NR > 1 {
			name = $0; sub(/,.*/, "", name)
			if (!match($0, /"vip_count":[0-9]+/)) { print name ": no count"; next }
			count = substr($0, RSTART + 12, RLENGTH - 12)
			if (!match($0, /"vips":\[[^]]*\]/)) { print name ": no VIPs"; next }
			list = substr($0, RSTART + 8, RLENGTH - 9)
			n = split(list, v, ",")
			if (list == "") n = 0
			delete seen
			for (i = 1; i <= n; i++)
				if (seen[v[i]]++) print name ": " v[i] " twice"
			if (n != count) print name ": vip_count " count ", " n " listed"
		}' "$f")
		if [ -z "$out" ]; then
			echo "ok 0 show --json: consistent" >>"$log"
		else
			printf 'fail 1 show --json: inconsistent\n  %s\n' \
				"$(echo $out | cut -c 1-300)" >>"$log"
		fi
	done
}

# Flaps of a1..a3, admin and carrier, 10 + 10 every half second until
# STOP (back to back, the flaps would keep RTNL, and the loops wait for it).
loop_flaps()
{
	local n=0 round=0

	while [ ! -e "$STOP" ]; do
		flap_lines a 10 $((round % 3 + 1)) | ip -n "$SRV" -b - &
		flap_lines p 10 $(((round + 1) % 3 + 1)) | ip -n "$SW" -b -
		wait $!
		n=$((n + 20))
		round=$((round + 1))
		echo "$n" >"$TMPD/flaps"
		sleep 0.5
	done
}

# ---------------------------------------------------------------- churn

progress "churn: 4 vipctl loops, dumps, flaps, ARP flood for $CHURN_SECS s"
flood_start "$FLOOD_PPS" "$VIP1" 10.1.0.1 10.2.0.1 10.3.0.6 10.4.0.1 10.9.0.1
LOOPS=(g1 g2 s3 s4 dump)
export -f seq_list "${LOOPS[@]/#/loop_}"
export TMPD STOP CONTENDED
declare -A LOOP_PIDS
for l in "${LOOPS[@]}"; do
	loop_start "$SRV" "loop_$l"
	LOOP_PIDS[$l]=$LOOP_PID
done
loop_flaps >/dev/null 2>&1 &
flaps_pid=$!
BG_PIDS+=("$flaps_pid")

start=$SECONDS
while [ $((SECONDS - start)) -lt "$CHURN_SECS" ]; do
	sleep 10
	diag "$((SECONDS - start)) s: $(for l in "${LOOPS[@]}"; do
		echo -n "$l $(grep -c '^[a-z]* [0-9]* ' "$TMPD/loop-$l" 2>/dev/null) "
	done)commands, $(cat "$TMPD/flaps" 2>/dev/null) flaps"
done
touch "$STOP"
# Each loop ends its turn and sets its final configuration (every
# command is bounded by op's timeout).
for l in "${LOOPS[@]}"; do
	wait "${LOOP_PIDS[$l]}"
done
wait "$flaps_pid"
flood_running && flooding=yes || flooding=no
flood_stop
progress "churn done"

check_loop "g1: group created and deleted each turn" "$TMPD/loop-g1"
check_loop "g2: member created, failed and deleted each turn" "$TMPD/loop-g2"
check_loop "shared, first loop" "$TMPD/loop-s3"
check_loop "shared, second loop" "$TMPD/loop-s4"
check_loop "dumps during the churn" "$TMPD/loop-dump"
if [ "$flooding" = yes ]; then
	ok "meanwhile $(cat "$TMPD/flaps") flaps of a1 a2 a3 and $FLOOD_SENT ARP requests"
else
	not_ok "the ARP flood ran throughout" "$(cat "$TMPD/flood.log")"
fi

# The end state the loops' last commands set.
vipctl show --json >"$TMPD/final.json"
exprs=(
	"sorted(x['name'] for x in j['groups']) == ['g1', 'g2', 'shared']"
	"all(x['vip_count'] == len(x['vips']) for x in j['groups'])"
)
# group NAME GARP_COUNT GARP_INTERVAL CARRIER_POLL "DEV..." "VIP..."
group_expr()
{
	local g="[x for x in j['groups'] if x['name'] == '$1'][0]" d devs=() vips

	for d in $5; do
		devs+=("('$d', $(ifindex "$SRV" "$d"), '$(mac "$SRV" "$d")')")
	done
	vips=$(printf "'%s', " $6)
	exprs+=("($g['garp_count'], $g['garp_interval_ms'], $g['carrier_poll_ms']) == ($2, $3, $4)"
		"sorted((x['ifname'], x['ifindex'], x['mac']) for x in $g['devices']) == [$(IFS=,; echo "${devs[*]}")]"
		"sorted($g['vips']) == sorted([$vips])")
}
group_expr g1 7 70 10 "a5 a6" "10.1.0.1 10.1.0.2"
group_expr g2 1 10 5 "a7 t2" "$(seq -f 10.2.0.%g 1 50)"
group_expr shared 4 40 5 "a1 a3" "$VIP1 $(seq -f 10.3.0.%g 1 5)"
if out=$(json_check "$TMPD/final.json" "${exprs[@]}"); then
	ok "after the churn: g1, g2 and shared as the last commands set them; race gone"
else
	not_ok "after the churn: the configuration is what the last commands set" "$out"
fi
want=$(printf '%s\n' "$VIP1" 10.1.0.1 10.1.0.2 $(seq -f 10.3.0.%g 1 5) | sort)
got=$(ip -n "$SRV" -4 -o addr show dev lo |
	awk '$4 ~ /\/32$/ { sub("/32", "", $4); print $4 }' | sort)
if [ "$want" = "$got" ]; then
	ok "after the churn: lo has the local VIPs, and only those"
else
	not_ok "after the churn: lo has the local VIPs, and only those" \
		"expected: $(echo $want)" "on lo: $(echo $got)"
fi
vipctl show shared --json >"$TMPD/shared.json" &&
	diag "after the churn: $(json_value "$TMPD/shared.json" \
	"' '.join(f\"{d['ifname']} {d['state']} {d.get('held_ms', 0)} ms\" for d in j['groups'][0]['devices'])")"
# a1 flapped until the end: the last of its hold-downs can be 32 times
# the group's up-delay (1 s), and it answers only after it.
check "after the churn: a1 a3 up once their hold-downs ended" \
	slowwait 45 all_up shared a1 a3
check_replies "after the churn: shared answers from a1 a3" \
	"$(arp_request "$VIP1")" a1 a3
host_routes

# ---------------------------------------------------------------- 100,000 VIPs

# b1 b2 are ports of no bridge: the announcement ends at their peers.
progress "$NBIG VIPs"
for i in 1 2; do
	ip -n "$SRV" link add "b$i" type veth peer name "q$i" netns "$SW" &&
		ip -n "$SW" link set "q$i" up && ip -n "$SRV" link set "b$i" up
done
slowwait 10 links_up "$SRV" b1 b2
check "group big: b1 b2, one GARP per VIP" \
	vipctl group add big --dev b1,b2 --garp-count 1
mapfile -t args < <("$PYTHON" - "$NBIG" <<'EOF'
import ipaddress, sys
n, base = int(sys.argv[1]), ipaddress.IPv4Address("198.18.0.1")
for k in range(0, n, 1000):
    print(",".join(str(base + i) for i in range(k, min(n, k + 1000))))
EOF
)
start=$(now_ms)
check "$NBIG VIPs added (--no-local, one command)" \
	vipctl vip add big --no-local "${args[@]}"
diag "added in $(($(now_ms) - start)) ms"
start=$(now_ms)
vipctl show big --json >"$TMPD/big.json"
ms=$(($(now_ms) - start))
check "show big: $NBIG VIPs, each once (shown in $ms ms)" \
	json_check "$TMPD/big.json" "g['vip_count'] == $NBIG" \
	"len(g['vips']) == $NBIG" "len(set(g['vips'])) == $NBIG" \
	"g['vips'][0] == '198.18.0.1'"
rm -f "$TMPD/big.json"
# VIPs added are announced, by b1 and b2, once each: that ends first.
# (The add took 100 requests; a round that began while one of them was
# adding its VIPs announced some of them twice, about 1.5% here, until
# rounds covered only the VIPs whose addition had ended.)
added_announced()
{
	local g

	g=$(group_stat big garps) && [ "$g" -ge $((2 * NBIG)) ] &&
		sleep 0.5 && [ "$(group_stat big garps)" = "$g" ]
}
if slowwait "$(hang_limit 120)" added_announced &&
   [ "$(group_stat big garps)" = $((2 * NBIG)) ]; then
	ok "the VIPs added: b1 and b2 announced each once ($((2 * NBIG)) GARPs for $NBIG VIPs)"
else
	not_ok "the VIPs added: b1 and b2 announced each once" \
		"garps $(group_stat big garps), want $((2 * NBIG))"
fi
g0=$(group_stat big garps)

tx0=$(tx_of b2)
start=$(now_ms)
ip -n "$SRV" link set b1 down
if slowwait "$(hang_limit 120)" more_than $((tx0 + NBIG - 1)) tx_of b2; then
	ms=$(($(now_ms) - start))
	sleep 0.5	# a round that overshoots would show by now
	garps=$(($(group_stat big garps) - g0))
	lost=$(group_stat big tx_errors)
	if [ "$garps" = "$NBIG" ] && [ "$lost" = 0 ]; then
		ok "b1 down: b2 announced all $NBIG VIPs in $ms ms, none lost"
	else
		not_ok "b1 down: b2 announced every VIP once" \
			"garps $garps, lost $lost; owed $NBIG"
	fi
else
	not_ok "b1 down: b2 announced every VIP once" \
		"b2 sent $(($(tx_of b2) - tx0)) frames in 120 s"
fi
start=$(now_ms)
check "group big deleted" vipctl group del big
diag "deleted in $(($(now_ms) - start)) ms"
check "group big gone, the others stay" \
	bash -c "ip netns exec $SRV $VIPCTL show --json | grep -q '\"name\":\"shared\"' &&
		 ! ip netns exec $SRV $VIPCTL show big"

finish
