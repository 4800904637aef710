#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every benchmark of issue 5, and their IPv6 twins (issue 13), in one boot of the test VM (bench/run starts
# it with scripts/vm-run). Raw results go to $BENCH_RAW, a directory the
# host shares with the VM; bench/analyze.py and bench/report.py read them.
# A step that fails is recorded in steps.tsv and the others still run.

. "$(dirname "$0")/lib.sh"

export BENCH_T0=${EPOCHREALTIME/./}

# step NAME CMD...: run a benchmark step, record its status and duration.
step()
{
	local name=$1 t0 rc

	shift
	progress "$name: start"
	t0=$(now_us)
	"$@"
	rc=$?
	printf '%s\t%s\t%s\n' "$name" "$rc" "$(secs "$t0" "$(now_us)")" \
		>>"$RAW/steps.tsv"
	progress "$name: done (status $rc)"
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
	step hosts "$BENCH_DIR/host_failover.sh"
	progress "all done"
	awk -F '\t' '$2 != 0 { bad = 1 } END { exit bad }' "$RAW/steps.tsv"
	exit
fi
modprobe bonding max_bonds=0 || echo "bench: no bonding module" >&2
# The kernel's own ARP path first, before vipfo is ever loaded.
step arp-nomod "$BENCH_DIR/arp_rate.sh" nomod
insmod "$REPO_DIR/kmod/vipfo.ko" || { echo "bench: cannot load vipfo" >&2; exit 1; }
echo "vipfo-bench: start" >/dev/kmsg
step config "$BENCH_DIR/config_scale.sh"
step arp-vipfo "$BENCH_DIR/arp_rate.sh" vipfo
step fanout "$BENCH_DIR/fanout.sh" 4
step fanout6 "$BENCH_DIR/fanout.sh" 6
for system in ${BENCH_SYSTEMS:-vipfo floor ab100 ab10 alb100 alb10}; do
	step "gap-$system" "$BENCH_DIR/failover_gap.sh" "$system" veth 4
done
# IPv6: bonding's story is active-backup's unsolicited NAs (balance-alb
# balances IPv4 only).
for system in ${BENCH_SYSTEMS6:-vipfo floor ab100 ab10}; do
	step "gap6-$system" "$BENCH_DIR/failover_gap.sh" "$system" veth 6
done
# Issue 4: the same on the VM's virtio-net NICs (last: it moves them).
for system in ${BENCH_NIC_SYSTEMS:-vipfo floor ab10 alb10}; do
	step "nicgap-$system" "$BENCH_DIR/failover_gap.sh" "$system" nic 4
done
for system in ${BENCH_NIC_SYSTEMS6:-vipfo floor ab10}; do
	step "nicgap6-$system" "$BENCH_DIR/failover_gap.sh" "$system" nic 6
done
dmesg | awk '/vipfo-bench: start/ { p = 1 } p' >"$RAW/dmesg.txt"
progress "all done"
