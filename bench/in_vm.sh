#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every benchmark of issue 5, and their IPv6 twins (issue 13), in one boot of the test VM (bench/run starts
# it with scripts/vm-run). Raw results go to $BENCH_RAW, a directory the
# host shares with the VM; bench/analyze.py and bench/report.py read them.
# A step that fails is recorded in steps.tsv and the others still run; so
# is one that ended well but added no row of results (its instrument
# measured nothing), with status 3.
#
# BENCH_PARTS (comma-separated, default all): arp, config, fanout, gap,
# gap6, nicgap, nicgap6. $RAW/estimate.tsv (bench/run writes it from the
# previous run) has each step's expected seconds: the progress lines say
# how long the rest should take.

. "$(dirname "$0")/lib.sh"

export BENCH_T0=${EPOCHREALTIME/./}
failed=
PARTS=${BENCH_PARTS:-arp,config,fanout,gap,gap6,nicgap,nicgap6}
# The systems compared, in the order each round runs them (failover_gap.sh).
# vipfo polls the carrier every 5 ms: bonding with miimon 5 and 1 too. All
# on veths over IPv4; elsewhere the fastest of each mode, within the 45
# minutes the whole bench may take (each system costs a fresh topology
# and its runs per round: 13-20 s).
GAP_SYSTEMS=${BENCH_SYSTEMS:-vipfo floor ab100 ab10 ab5 ab1 alb10}
GAP6_SYSTEMS=${BENCH_SYSTEMS6:-vipfo floor ab1}
NIC_SYSTEMS=${BENCH_NIC_SYSTEMS:-vipfo floor ab1 alb10}
NIC6_SYSTEMS=${BENCH_NIC_SYSTEMS6:-vipfo floor ab1}

# part NAME: whether the part is to run
part() { [[ ,$PARTS, == *,$1,* ]]; }

# The steps to run, in order, and what is left of their expected time.
STEPS=()
part arp && STEPS+=(arp-nomod)
part config && STEPS+=(config)
part arp && STEPS+=(arp-vipfo)
part fanout && STEPS+=(fanout fanout6)
for p in gap gap6 nicgap nicgap6; do part "$p" && STEPS+=("$p"); done
declare -A ESTIMATE=()
if [ -f "$RAW/estimate.tsv" ]; then
	while IFS=$'\t' read -r name secs; do
		[ -n "$name" ] && ESTIMATE[$name]=$secs
	done <"$RAW/estimate.tsv"
fi
done_steps=0

# left FROM: the expected seconds of the steps from index FROM on, or
# nothing when some step has no estimate
left()
{
	local i sum=0

	for ((i = $1; i < ${#STEPS[@]}; i++)); do
		[ -n "${ESTIMATE[${STEPS[i]}]:-}" ] || return
		sum=$((sum + ${ESTIMATE[${STEPS[i]}]}))
	done
	echo "$sum"
}

# rows FILE: its lines, 0 when there is none
rows()
{
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# step NAME RUNS CMD...: run a benchmark step, record its status and
# duration; RUNS is the file (under $RAW) it adds its results to.
step()
{
	local name=$1 runs=$RAW/$2 t0 rc n est

	shift 2
	est=$(left "$done_steps")
	progress "$name: start (step $((done_steps + 1)) of ${#STEPS[@]}${est:+, about $(((est + 59) / 60)) min left})"
	n=$(rows "$runs")
	t0=$(now_us)
	"$@"
	rc=$?
	if [ "$rc" = 0 ] && [ "$(rows "$runs")" -le "$n" ]; then
		echo "bench: $name: no results in $2" >&2
		rc=3
	fi
	printf '%s\t%s\t%s\n' "$name" "$rc" "$(secs "$t0" "$(now_us)")" \
		>>"$RAW/steps.tsv"
	done_steps=$((done_steps + 1))
	progress "$name: done (status $rc)"
	[ "$rc" = 0 ] || failed+=" $name"
}

{
	echo "kernel	$(uname -r)"
	echo "cpus	$(nproc)"
	echo "cpu_model	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "memory_kb	$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
	echo "cmdline	$(cat /proc/cmdline)"
	echo "vipctl	$("$VIPCTL" --version 2>&1)"
	echo "hz	$(getconf CLK_TCK)"
	echo "keepalived	$(keepalived --version 2>&1 | head -n 1)"
} >"$RAW/guest.tsv"

# `bench/run hosts` (make bench-hosts): failover between hosts alone
if [ "${1:-all}" = hosts ]; then
	insmod "$REPO_DIR/kmod/vipfo.ko" || { echo "bench: cannot load vipfo" >&2; exit 1; }
	STEPS=(hosts)
	step hosts hosts/runs.tsv "$BENCH_DIR/host_failover.sh"
	progress "all done${failed:+; failed:$failed}"
	[ -z "$failed" ]
	exit
fi
echo "parts	$PARTS" >>"$RAW/guest.tsv"
modprobe bonding max_bonds=0 || echo "bench: no bonding module" >&2
# The kernel's own ARP path first, before vipfo is ever loaded.
part arp && step arp-nomod arp/runs.tsv "$BENCH_DIR/arp_rate.sh" nomod
insmod "$REPO_DIR/kmod/vipfo.ko" || { echo "bench: cannot load vipfo" >&2; exit 1; }
echo "vipfo-bench: start" >/dev/kmsg
part config && step config config/runs.tsv "$BENCH_DIR/config_scale.sh"
part arp && step arp-vipfo arp/runs.tsv "$BENCH_DIR/arp_rate.sh" vipfo
if part fanout; then
	step fanout fanout/runs.tsv "$BENCH_DIR/fanout.sh" 4
	step fanout6 fanout6/runs.tsv "$BENCH_DIR/fanout.sh" 6
fi
# shellcheck disable=SC2086 # the lists of systems
{
part gap && step gap gap/runs.tsv "$BENCH_DIR/failover_gap.sh" veth 4 $GAP_SYSTEMS
# IPv6: bonding's story is active-backup's unsolicited NAs (balance-alb
# balances IPv4 only).
part gap6 && step gap6 gap6/runs.tsv "$BENCH_DIR/failover_gap.sh" veth 6 $GAP6_SYSTEMS
# Issue 4: the same on the VM's virtio-net NICs (last: it moves them).
part nicgap && step nicgap nicgap/runs.tsv "$BENCH_DIR/failover_gap.sh" nic 4 $NIC_SYSTEMS
part nicgap6 && step nicgap6 nicgap6/runs.tsv "$BENCH_DIR/failover_gap.sh" nic 6 $NIC6_SYSTEMS
}
dmesg | awk '/vipfo-bench: start/ { p = 1 } p' >"$RAW/dmesg.txt"
if [ -n "$failed" ]; then
	progress "all done; failed:$failed"
	exit 1
fi
progress "all done"
