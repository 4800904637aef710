#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failover between hosts (issue 15): the gap a client sees when one adapter
# of the VRRP master fails and when the whole master fails, with vipfo
# inside each host and keepalived between them (docs/keepalived.md), at
# advert_int 1 s and 0.5 s, against keepalived alone with the VIP on one
# adapter; and the time from the new master's first VRRP advertisement
# (keepalived's transition, as the wire shows it) to the first frame
# announcing the VIP.
#
# Usage: bench/host_failover.sh    (inside the VM, BENCH_RAW set, vipfo loaded)
#
# Topology (topology.sh's setup_two_hosts): two hosts bh1 (priority 150)
# and bh2 (100), three adapters each on one switch, and a client, as
# selftests/keepalived.sh:
#
#   bh1: a1 a2 a3 --+                  +-- a1 a2 a3 :bh2
#                   +-- br0 (bsw) -----+
#                            |
#                       c0 (bcli, 192.0.2.1)
#
# VRRP runs on a1 (198.51.100.1 and .2). Systems, interleaved round by
# round (each round restarts keepalived on both hosts with its setting):
#   vipfo-1, vipfo-0.5  vipfo group web of a1 a2 a3 on each host, its VIP
#                       192.0.2.100 added and removed by `vipctl vrrp
#                       --fifo` (keepalived's notify FIFO); keepalived's
#                       virtual_ipaddress is an address of its own subnet
#   ka-1, ka-0.5        keepalived alone: 192.0.2.100/24 in its
#                       virtual_ipaddress on a1, its own gratuitous ARPs
#                       (keepalived's defaults); no VIP in vipfo
# Failures, each on bh1 while it is master:
#   adapter   the adapter the client's traffic arrives by loses carrier
#             (its switch port goes down): a2 for vipfo (the client's
#             entry is set to a2's MAC first; a1 is the VRRP interface, whose
#             failure is a host failover), a1 for keepalived alone
#   host      all three of bh1's switch ports go down
# Per run the client pings the VIP every 5 ms (ping -D) and tcpdump on c0
# records ARP and VRRP; bench/hosts.py computes the gap and the times. The
# failure's instant is where the client's replies stop: under emulation
# `ip link set ... down` can take a second to start.

. "$(dirname "$0")/lib.sh"

H1=bh1
H2=bh2
WARMUP=${BENCH_WARMUP:-0.5}
TRANSITION_MAX=20	# s: a state change that takes longer is a failure
out=$RAW/hosts
rm -rf "$out"
mkdir -p "$out"

# write_configs N: host N's vipfo.conf, notify script and one keepalived
# configuration per system, in $out/hN
write_configs()
{
	local n=$1 d=$out/h$1 prio=$((200 - 50 * $1)) system adv vips garps

	mkdir -p "$d"
	cat >"$d/vipfo.conf" <<EOF
[group.web]
devices = ["a1", "a2", "a3"]
vips = ["$VIP"]
vrrp-instance = "VI_1"
up-delay = 0
EOF
	# the state log: when keepalived ran its notify script, and why
	printf '#!/bin/bash\necho "$EPOCHREALTIME $*" >>%s/states\n' "$d" \
		>"$d/notify.sh"
	chmod +x "$d/notify.sh"
	for system in $SYSTEMS; do
		adv=${system#*-}
		case $system in
		vipfo-*)
			vips="198.51.100.10/32 dev a1"
			# keepalived's announcements are for its own address
			garps="garp_master_delay 0
	garp_master_repeat 1
	garp_master_refresh 0" ;;
		ka-*)	vips="$VIP/24 dev a1"
			garps="# keepalived's default announcements" ;;
		esac
		{
			cat <<EOF
global_defs {
	router_id bh$n
	script_user root
EOF
			[ "${system%%-*}" = vipfo ] && cat <<EOF
	notify_fifo /tmp/bench-hosts-h$n.fifo
	notify_fifo_script "$VIPCTL vrrp --config $d/vipfo.conf --fifo"
EOF
			cat <<EOF
}

vrrp_instance VI_1 {
	state BACKUP
	interface a1
	virtual_router_id 51
	priority $prio
	version 3
	advert_int $adv
	virtual_ipaddress {
		$vips
	}
	$garps
	notify "$d/notify.sh"
}
EOF
		} >"$d/$system.conf"
	done
}

# keepalived_start N SYSTEM, keepalived_stop N: keepalived of host N in
# its namespace (foreground, its log in hN/log); stop as systemd would,
# then what docs/keepalived.md's ExecStopPost= runs
declare -A KA_PID
keepalived_start()
{
	local d=$out/h$1 h=bh$1

	echo "=== $2" >>"$d/log"
	ip netns exec "$h" keepalived -n -l -D -P -f "$d/$2.conf" \
		-p "$d/keepalived.pid" -r "$d/vrrp.pid" >>"$d/log" 2>&1 &
	KA_PID[$1]=$!
}

keepalived_stop()
{
	local d=$out/h$1

	if [ -n "${KA_PID[$1]:-}" ]; then
		kill "${KA_PID[$1]}" 2>/dev/null
		timeout 10 tail --pid="${KA_PID[$1]}" -f /dev/null
		unset "KA_PID[$1]"
	fi
	ip netns exec "bh$1" "$VIPCTL" vrrp --config "$d/vipfo.conf" \
		INSTANCE VI_1 STOP >/dev/null 2>&1
	ip -n "bh$1" addr del "$VIP/24" dev a1 2>/dev/null
	return 0
}

# holds NS: NS answers for the VIP: vipfo's group has it (vipfo systems)
# or it is on a1 (keepalived alone); holds_none NS: neither
on_a1() { ip -n "$1" -4 addr show dev a1 | grep -q "inet $2/"; }
in_group() { ip netns exec "$1" "$VIPCTL" show web | grep -q "$VIP"; }
holds()
{
	case $system in
	vipfo-*) on_a1 "$1" 198.51.100.10 && in_group "$1" ;;
	ka-*)	 on_a1 "$1" "$VIP" ;;
	esac
}
holds_none() { ! on_a1 "$1" 198.51.100.10 && ! on_a1 "$1" "$VIP" && ! in_group "$1"; }
h1_master() { holds "$H1" && holds_none "$H2"; }
h2_master() { holds "$H2"; }

ports() { printf 'link set %s '"$1"'\n' "${@:2}" | ip -n "$SW" -b -; }

# system_start SYSTEM: keepalived on both hosts, bh1 master first
system_start()
{
	rm -f "$out"/h[12]/states
	keepalived_start 1 "$1"
	slowwait "$TRANSITION_MAX" holds "$H1" || return 1
	keepalived_start 2 "$1"
	slowwait "$TRANSITION_MAX" grep -q "VI_1 BACKUP" "$out/h2/states" &&
		h1_master
}

system_stop()
{
	keepalived_stop 2
	keepalived_stop 1
}

# run_one HOW REP: one failure of bh1 while the client pings the VIP
run_one()
{
	local how=$1 rep=$2 base=$out/$system-$1-$2 dev ping_pid t0 t1 end

	case $how/$system in
	adapter/vipfo-*) dev=a2 ;;
	*)		 dev=a1 ;;
	esac
	# The client's entry: the adapter that fails (stale: a frame moves it)
	ip -n "$CLI" neigh replace "$VIP" lladdr "$(mac "$H1" "$dev")" \
		dev c0 nud stale
	# (programs, not in_ns: $! must be the program that gets the signal)
	nsenter --net="/run/netns/$CLI" ping -4 -D -n -i 0.005 -w 60 "$VIP" \
		>"$base.ping" 2>&1 &
	ping_pid=$!
	# (starting ping takes a while under emulation: its first reply first)
	slowwait 10 grep -q "bytes from" "$base.ping" ||
		echo "host_failover: $system $how #$rep: no ping reply before the failure" >&2
	sleep "$WARMUP"
	t0=$EPOCHREALTIME
	case $how in
	adapter) ports down "p1${dev#a}" ;;
	host)	 ports down p11 p12 p13 ;;
	esac
	# The end: a while after the client's pings return (vipfo's
	# adapter failover) or after bh2 holds the VIP (a host failover)
	end=1.5
	if [ "$how" = host ] || [ "${system%%-*}" = ka ]; then
		slowwait "$TRANSITION_MAX" h2_master ||
			echo "host_failover: $system $how #$rep: bh2 never took over" >&2
		end=2
	fi
	sleep "$end"
	t1=$EPOCHREALTIME
	kill -INT "$ping_pid"
	wait "$ping_pid"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$system" "$how" "$rep" "$t0" "$t1" \
		"$dev" >>"$out/runs.tsv"
	progress "hosts $system $how #$rep done"
	case $how in
	adapter) ports up "p1${dev#a}" ;;
	host)	 ports up p11 p12 p13 ;;
	esac
	# preemption gives bh1 the VIP back
	slowwait "$TRANSITION_MAX" h1_master ||
		{ echo "host_failover: $system: bh1 not master again" >&2; return 1; }
	sleep 0.5
}

SYSTEMS=${BENCH_HOST_SYSTEMS:-vipfo-1 ka-1 vipfo-0.5 ka-0.5}
HOWS=${BENCH_HOST_HOWS:-adapter host}
command -v keepalived >/dev/null ||
	{ echo "host_failover: keepalived is not installed" >&2; exit 1; }
setup_two_hosts || { echo "host_failover: cannot set up the topology" >&2; exit 1; }
for n in 1 2; do
	write_configs "$n"
	for i in a1 a2 a3; do
		printf 'bh%s\t%s\t%s\n' "$n" "$i" "$(mac "bh$n" "$i")"
	done >>"$out/macs.tsv"
	ip netns exec "bh$n" "$VIPCTL" apply "$out/h$n/vipfo.conf" ||
		{ echo "host_failover: vipctl apply failed on bh$n" >&2; exit 1; }
done
: >"$out/runs.tsv"
rc=0
# One capture on the client for everything: ARP and VRRP (IP protocol 112)
nsenter --net="/run/netns/$CLI" tcpdump -i c0 -nn -e -tt -l 'arp or ip proto 112' \
	>"$out/capture" 2>"$out/capture.err" &
cap_pid=$!
slowwait 20 grep -q "listening on" "$out/capture.err" ||
	{ echo "host_failover: tcpdump: $(cat "$out/capture.err")" >&2; exit 1; }
for ((rep = 1; rep <= REPS; rep++)); do
	for system in $SYSTEMS; do
		if ! system_start "$system"; then
			echo "host_failover: $system: bh1 not master with bh2 backup" \
				"after ${TRANSITION_MAX} s; keepalived's logs in $out/h[12]/log" >&2
			rc=1
			system_stop
			continue
		fi
		for how in $HOWS; do
			run_one "$how" "$rep" || rc=1
		done
		system_stop
	done
done
kill "$cap_pid"
wait "$cap_pid" 2>/dev/null
topo_down
cleanup_ns "$H1" "$H2"
exit "$rc"
