#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover gap seen by a peer, and the kernel-time trace of the same
# failovers (measurements 1 and 2 of issue 5).
#
# Usage: bench/failover_gap.sh veth|nic 4|6 SYSTEM...
#                                     (inside the VM, BENCH_RAW set)
#   vipfo          vipfo with defaults but up-delay 0 (bench/lib.sh), group
#                  of a1 a2 a3, VIPs 192.0.2.100 and 2001:db8::100
#   abN            bonding active-backup, miimon N ms (ab100, ab10, ab1)
#   albN           bonding balance-alb, miimon N ms
#   floor          vipfo's topology and nothing fails
# veth is the selftests' topology: a bridge as the switch.
# nic (issue 4) puts the VM's virtio-net NICs in its place, on a qemu hub:
# there the adapter's cable is pulled instead (through qemu's monitor),
# alone or 150 ms after another link event on the host, which makes the
# kernel's own report of the carrier loss wait for linkwatch's next turn.
# The family is that of the VIP the client pings and streams to: with 6
# the same group answers and announces 2001:db8::100 (bonding: the bond's
# address, which active-backup announces with num_unsol_na unsolicited
# NAs).
#
# The systems take turns round by round (BENCH_REPS rounds): in each, every
# system in the order given gets a fresh topology and one run of each
# failure, so that the host's drift over the minutes of the bench hits all
# of them alike. Each run: the client pings the VIP every 2 ms (ping -D:
# each reply with its time); after WARMUP the adapter its traffic arrives
# by loses carrier (its switch port goes down) or goes admin down; WINDOW
# later the run ends and the adapter recovers. Meanwhile one TCP connection
# per system and round streams 1 KiB every 2 ms through its runs and must
# end intact. The failure instant comes from the kernel trace (a marker
# written just before maps trace time to the ping's clock), not from when
# `ip` was started: under software emulation on a busy host, starting it
# takes up to 100s of ms. Per run bench/analyze.py gets the ping log, the
# ftrace log and a line in gap/runs.tsv; per system a line of TCP result
# per round.

. "$(dirname "$0")/lib.sh"
. "$BENCH_DIR/ktime.sh"

WARMUP=${BENCH_WARMUP:-0.5}
WINDOW=${BENCH_WINDOW:-1.5}
topo=$1
family=$2
shift 2
systems=("$@")
[ ${#systems[@]} -gt 0 ] || { echo "failover_gap: no system given" >&2; exit 2; }
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

# system_up: this round's topology and $system on it, its TCP stream
# started; system_down ends the stream, its result a line of $system.tcp.
system_up()
{
	if [ "$topo" = nic ]; then
		topo_up nic
	else
		topo_up
	fi || { echo "failover_gap: cannot set up the $topo topology" >&2; return 1; }
	case $system in
	vipfo|floor)
		if [ "$family" = 6 ]; then
			srv_vipfo web a1,a2,a3 --vip "$VIP,$VIP6"
		else
			srv_vipfo web a1,a2,a3 --vip "$VIP"
		fi ;;
	ab[0-9]*)	srv_bond active-backup "${system#ab}" ;;
	alb[0-9]*)	srv_bond balance-alb "${system#alb}" ;;
	esac || { echo "failover_gap: cannot set up $system" >&2; return 1; }
	# Programs, not shell functions: $! must be the program itself.
	nsenter --net="/run/netns/$SRV" "$PYTHON" "$BENCH_DIR/tcp_stream.py" server \
		--family "$family" &
	server_pid=$!
	settle
	rm -f /tmp/tcp-stop
	nsenter --net="/run/netns/$CLI" "$PYTHON" "$BENCH_DIR/tcp_stream.py" client \
		--addr "$target" --until /tmp/tcp-stop >"$TMP_TCP" 2>&1 &
	tcp_pid=$!
}

system_down()
{
	touch /tmp/tcp-stop
	wait "$tcp_pid"
	progress "gap $topo IPv$family $system round $rep: tcp $(tail -n 1 "$TMP_TCP")"
	# One line per round: the stream's JSON, or what it printed instead.
	grep '^{' "$TMP_TCP" >>"$out/$system.tcp" ||
		echo "{\"error\": \"round $rep: $(tail -n 1 "$TMP_TCP" | tr -d '"\\')\"}" \
			>>"$out/$system.tcp"
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
	topo_down
}

for system in "${systems[@]}"; do
	case $system in
	vipfo|floor|ab[0-9]*|alb[0-9]*) ;;
	*) echo "failover_gap: unknown system $system" >&2; exit 2 ;;
	esac
	rm -f "$out/$system.tcp"
done
if [ "$topo" = nic ]; then
	have_nics || { echo "failover_gap: no NICs (vm-run --nics 4)" >&2; exit 1; }
fi
TMP_TCP=/tmp/failover_gap.tcp
ktime_setup
silent=0			# runs whose pings got no reply
broken=			# systems that could not be set up
for ((rep = 1; rep <= REPS; rep++)); do
	for system in "${systems[@]}"; do
		if ! system_up; then
			broken+=" $system#$rep"
			topo_down
			continue
		fi
		if [ "$system" = floor ]; then
			run_one none "$rep"
		else
			for how in $hows; do
				run_one "$how" "$rep"
			done
		fi
		system_down
	done
done
ktime_teardown
if [ "$silent" -gt 0 ] || [ -n "$broken" ] || [ -n "$KTIME_MISSING" ]; then
	echo "failover_gap: $topo IPv$family: $silent runs without a reply${broken:+, not set up:$broken}${KTIME_MISSING:+, no trace of$KTIME_MISSING}" >&2
	exit 1
fi
