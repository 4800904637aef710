#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover gap seen by a peer, and the kernel-time trace of the same
# failovers (measurements 1 and 2 of issue 5).
#
# Usage: bench/failover_gap.sh SYSTEM [veth|nic] [4|6]
#                                     (inside the VM, BENCH_RAW set)
#   vipfo          vipfo with defaults but up-delay 0 (bench/lib.sh), group
#                  of a1 a2 a3, VIPs 192.0.2.100 and 2001:db8::100
#   ab100, ab10    bonding active-backup, miimon 100 or 10 ms
#   alb100, alb10  bonding balance-alb, miimon 100 or 10 ms
#   floor          vipfo's topology and nothing fails
# veth (the default) is the selftests' topology: a bridge as the switch.
# nic (issue 4) puts the VM's virtio-net NICs in its place, on a qemu hub:
# there the adapter's cable is pulled instead (through qemu's monitor),
# alone or 150 ms after another link event on the host, which makes the
# kernel's own report of the carrier loss wait for linkwatch's next turn.
# The family (default 4) is that of the VIP the client pings and streams
# to: with 6 the same group answers and announces 2001:db8::100 (bonding:
# the bond's address, which active-backup announces with num_unsol_na
# unsolicited NAs).
#
# Each run: the client pings the VIP every 2 ms (ping -D: each reply with
# its time); after WARMUP the adapter its traffic arrives by loses carrier
# (its switch port goes down) or goes admin down; WINDOW later the run ends and
# the adapter recovers. Meanwhile one TCP connection per system streams
# 1 KiB every 2 ms through all its runs and must end intact. The failure
# instant comes from the kernel trace (a marker written just before maps
# trace time to the ping's clock), not from when `ip` was started: under
# software emulation on a busy host, starting it takes up to 100s of ms.
# Per run bench/analyze.py gets the ping log, the ftrace log and a line in
# gap/runs.tsv; per system the TCP result.

. "$(dirname "$0")/lib.sh"
. "$BENCH_DIR/ktime.sh"

WARMUP=${BENCH_WARMUP:-0.5}
WINDOW=${BENCH_WINDOW:-1.5}
system=$1
topo=${2:-veth}
family=${3:-4}
case $topo in
veth)	out=$RAW/gap hows="carrier-loss admin-down" ;;
nic)	out=$RAW/nicgap hows="cable cable-event" ;;
*)	echo "failover_gap: unknown topology $topo" >&2; exit 2 ;;
esac
case $family in
4)	target=$VIP ;;
6)	target=$VIP6 out=${out}6 NS_IPV6=1 ;;
*)	echo "failover_gap: unknown family $family" >&2; exit 2 ;;
esac
mkdir -p "$out"

# The adapter the client's traffic to the VIP arrives by: the active slave
# for active-backup (all its slaves share one MAC); else the adapter that
# has the MAC the client holds for the VIP (balance-alb moves MACs between
# slaves), or failing that the one receiving the most packets over 100 ms.
rx_packets()
{
	srv awk '$1 ~ /^a[0-9]:$/ { printf "%s %s\n", substr($1, 1, 2), $3 }' /proc/net/dev
}

adapter_in_use()
{
	local m a

	case $system in
	ab*)	ip -n "$SRV" -d link show bond0 |
			sed -n 's/.*active_slave \([^ ]*\).*/\1/p'
		return ;;
	esac
	m=$(ip -n "$CLI" neigh show "$target" dev c0 | awk '{ print $3 }')
	ip -n "$SRV" -br link show | awk -v m="$m" '
		$3 == m && $1 ~ /^a[0-9]/ { print substr($1, 1, 2); f = 1 }
		END { exit !f }' && return
	a=$(rx_packets)
	sleep 0.1
	{ echo "$a"; rx_packets; } | awk '
		seen[$1]++ { d = $2 - n[$1]; if (d > best) { best = d; dev = $1 } }
		{ n[$1] = $2 }
		END { if (best > 0) print dev; else exit 1 }'
}

settle()
{
	case $system in
	ab*|alb*)	slowwait 10 bond_all_up ;;
	# The host recipe's routes again: admin down deleted some.
	*)		slowwait 10 vipfo_all_up web && host_routes ;;
	esac || echo "failover_gap: $system: not every adapter up after 10 s" >&2
	sleep 0.3
	# A cable pulled "alone" must find linkwatch quiet for a second.
	if [ "$topo" = nic ]; then sleep 1; fi
}

# run_one carrier-loss|admin-down|cable|cable-event|none REP
run_one()
{
	local how=$1 rep=$2 base=$out/$system-$1-$2 ping_pid dev t0 t1

	nsenter --net="/run/netns/$CLI" ping "-$family" -D -n -i 0.002 -w 30 "$target" \
		>"$base.ping" 2>&1 &
	ping_pid=$!
	sleep "$WARMUP"
	for _ in $(seq 20); do
		dev=$(adapter_in_use) && [ -n "$dev" ] && break
		sleep 0.1
	done
	ktime_clear
	t0=$EPOCHREALTIME
	echo "bench_sync $t0" >"$T/trace_marker"
	[ "$how" = none ] || fail_adapter "$how" "$dev"
	sleep "$WINDOW"
	t1=$EPOCHREALTIME
	kill -INT "$ping_pid"
	wait "$ping_pid"
	ktime_dump "$base.trace"
	# No reply before the failure: the gap cannot be measured.
	if ! grep -q ' bytes from ' "$base.ping"; then
		echo "failover_gap: $system $how #$rep: no ping reply: $(tail -n 3 "$base.ping")" >&2
		silent=$((silent + 1))
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$system" "$how" "$rep" "$t0" "$t1" \
		"${dev:-?}" >>"$out/runs.tsv"
	progress "gap $topo IPv$family $system $how #$rep: failed ${dev:-?}"
	[ "$how" = none ] || recover_adapter "$how" "$dev"
	settle
}

if [ "$topo" = nic ]; then
	have_nics || { echo "failover_gap: no NICs (vm-run --nics 4)" >&2; exit 1; }
	topo_up nic
else
	topo_up
fi || { echo "failover_gap: cannot set up the $topo topology" >&2; exit 1; }
case $system in
vipfo|floor)	if [ "$family" = 6 ]; then
			srv_vipfo web a1,a2,a3 --vip "$VIP,$VIP6"
		else
			srv_vipfo web a1,a2,a3 --vip "$VIP"
		fi ;;
ab100)		srv_bond active-backup 100 ;;
ab10)		srv_bond active-backup 10 ;;
alb100)		srv_bond balance-alb 100 ;;
alb10)		srv_bond balance-alb 10 ;;
*)		echo "failover_gap: unknown system $system" >&2; exit 2 ;;
esac || { echo "failover_gap: cannot set up $system" >&2; exit 1; }
# Programs, not shell functions: $! must be the program itself.
nsenter --net="/run/netns/$SRV" "$PYTHON" "$BENCH_DIR/tcp_stream.py" server \
	--family "$family" &
server_pid=$!
ktime_setup
settle
rm -f /tmp/tcp-stop
nsenter --net="/run/netns/$CLI" "$PYTHON" "$BENCH_DIR/tcp_stream.py" client --addr "$target" \
	--until /tmp/tcp-stop >"$out/$system.tcp" 2>&1 &
tcp_pid=$!

silent=0			# runs whose pings got no reply
for ((rep = 1; rep <= REPS; rep++)); do
	if [ "$system" = floor ]; then
		run_one none "$rep"
	else
		for how in $hows; do
			run_one "$how" "$rep"
		done
	fi
done

touch /tmp/tcp-stop
wait "$tcp_pid"
progress "gap $topo IPv$family $system: tcp $(cat "$out/$system.tcp")"
ktime_teardown
kill "$server_pid"
wait "$server_pid" 2>/dev/null
topo_down
if [ "$silent" -gt 0 ] || [ -n "$KTIME_MISSING" ]; then
	echo "failover_gap: $system $topo IPv$family: $silent runs without a reply${KTIME_MISSING:+, no trace of$KTIME_MISSING}" >&2
	exit 1
fi
