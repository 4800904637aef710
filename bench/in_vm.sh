#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every benchmark of issue 5, and their IPv6 twins (issue 13), in one boot of the test VM (bench/run starts
# it with scripts/vm-run). Raw results go to $BENCH_RAW, a directory the
# host shares with the VM; bench/analyze.py and bench/report.py read them.
# A step that fails is recorded in steps.tsv and the others still run; so
# is one that ended well but added no row of results (its instrument
# measured nothing), with status 3.

. "$(dirname "$0")/lib.sh"

export BENCH_T0=${EPOCHREALTIME/./}
failed=

# rows FILE: its lines, 0 when there is none
rows()
{
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# step NAME RUNS CMD...: run a benchmark step, record its status and
# duration; RUNS is the file (under $RAW) it adds its results to.
step()
{
	local name=$1 runs=$RAW/$2 t0 rc n

	shift 2
	progress "$name: start"
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
	step hosts hosts/runs.tsv "$BENCH_DIR/host_failover.sh"
	progress "all done${failed:+; failed:$failed}"
	[ -z "$failed" ]
	exit
fi
modprobe bonding max_bonds=0 || echo "bench: no bonding module" >&2
# The kernel's own ARP path first, before vipfo is ever loaded.
step arp-nomod arp/runs.tsv "$BENCH_DIR/arp_rate.sh" nomod
insmod "$REPO_DIR/kmod/vipfo.ko" || { echo "bench: cannot load vipfo" >&2; exit 1; }
echo "vipfo-bench: start" >/dev/kmsg
step config config/runs.tsv "$BENCH_DIR/config_scale.sh"
step arp-vipfo arp/runs.tsv "$BENCH_DIR/arp_rate.sh" vipfo
step fanout fanout/runs.tsv "$BENCH_DIR/fanout.sh" 4
step fanout6 fanout6/runs.tsv "$BENCH_DIR/fanout.sh" 6
for system in ${BENCH_SYSTEMS:-vipfo floor ab100 ab10 alb100 alb10}; do
	step "gap-$system" gap/runs.tsv "$BENCH_DIR/failover_gap.sh" "$system" veth 4
done
# IPv6: bonding's story is active-backup's unsolicited NAs (balance-alb
# balances IPv4 only).
for system in ${BENCH_SYSTEMS6:-vipfo floor ab100 ab10}; do
	step "gap6-$system" gap6/runs.tsv "$BENCH_DIR/failover_gap.sh" "$system" veth 6
done
# Issue 4: the same on the VM's virtio-net NICs (last: it moves them).
for system in ${BENCH_NIC_SYSTEMS:-vipfo floor ab10 alb10}; do
	step "nicgap-$system" nicgap/runs.tsv "$BENCH_DIR/failover_gap.sh" "$system" nic 4
done
for system in ${BENCH_NIC_SYSTEMS6:-vipfo floor ab10}; do
	step "nicgap6-$system" nicgap6/runs.tsv "$BENCH_DIR/failover_gap.sh" "$system" nic 6
done
dmesg | awk '/vipfo-bench: start/ { p = 1 } p' >"$RAW/dmesg.txt"
if [ -n "$failed" ]; then
	progress "all done; failed:$failed"
	exit 1
fi
progress "all done"
