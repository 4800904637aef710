#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration scale (measurement 5 of issue 5): wall time to add and to
# remove many VIPs with vipctl, against `ip -batch` adding and removing the
# same addresses as /32s on lo; and the kernel memory 100,000 VIPs take.
#
#   ip-batch        ip -batch: "address add|del A/32 dev lo", one per line
#   vipctl          vipctl vip add|del: the VIPs and the same /32s on lo
#   vipctl-nolocal  vipctl vip add|del --no-local: the VIPs only
#
# Adding N /32s to one device costs the kernel O(N) each (it walks the
# device's address list), so both ip -batch and vipctl without --no-local
# are quadratic: here they run with NLOCAL VIPs (default 3,000), where five
# runs fit in the time budget (ip -batch also with NLOCAL / 3, to show how
# it grows); vipctl --no-local runs with both NLOCAL and NVIPS (default
# 100,000). Memory: /proc/meminfo and /proc/slabinfo before
# and after adding NVIPS with --no-local (the VM boots with slab_nomerge,
# so the vipfo_vip cache is its own line), IPv4 VIPs, then IPv6 VIPs
# (vipctl-nolocal6, 2001:2::1 upward); then the same with NMEM VIPs
# (default 1,000,000) in MEMREPS runs (default 3: the figure varies by
# well under 1% from run to run, and each run takes a minute here), added
# and removed by one command each, from a `vipctl -b` file. With NVIPS and
# NMEM IPv4 VIPs in the group, `vipctl show` (show_rss) and how long the
# dump holds RTNL (dump_hold).
#
# Usage: bench/config_scale.sh  (inside the VM, BENCH_RAW set)

. "$(dirname "$0")/lib.sh"

NVIPS=${BENCH_SCALE_VIPS:-100000}
NLOCAL=${BENCH_LOCAL_VIPS:-3000}
NSMALL=$((NLOCAL / 3))
NMEM=${BENCH_MEM_VIPS:-1000000}
MEMREPS=${BENCH_MEM_REPS:-3}
SRV=bcfg			# vipctl() runs here
out=$RAW/config
failures=0			# commands that failed: figures missing
mkdir -p "$out"
printf 'nvips\t%s\nnmem\t%s\n' "$NVIPS" "$NMEM" >"$out/sizes.tsv"

# timed LABEL N REP CMD...
timed()
{
	local label=$1 n=$2 rep=$3 t0 rc

	shift 3
	t0=$(now_us)
	"$@" >/dev/null 2>"$out/last.err"
	rc=$?
	printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$rep" \
		"$(secs "$t0" "$(now_us)")" "$rc" >>"$out/runs.tsv"
	[ "$rc" = 0 ] && return
	echo "config_scale: $label $n: status $rc: $(cat "$out/last.err")" >&2
	failures=$((failures + 1))
}

# show_rss N REP: `vipctl show scale`, as text and as JSON, with N VIPs in
# the group: wall time, vipctl's peak RSS (KiB) and the output's size
# (bytes), in show.tsv. Its memory must not grow with N beyond what it
# prints. GNU time: its child is forked from a process of 1 MB (the peak
# RSS counts the process before its exec too: Python's would hide vipctl's).
show_rss()
{
	local form opt bytes rc

	for form in text json; do
		opt=; [ "$form" = json ] && opt=--json
		# shellcheck disable=SC2086 # no option for text
		in_ns "$SRV" /usr/bin/time -o "$out/time.out" -f '%e\t%M' \
			"$VIPCTL" show scale $opt >/tmp/show.out 2>"$out/last.err"
		rc=$?
		bytes=$(wc -c </tmp/show.out)
		rm -f /tmp/show.out
		if [ "$rc" = 0 ]; then
			printf 'show-%s\t%s\t%s\t%s\t%s\t0\n' "$form" "$1" "$2" \
				"$(tail -n1 "$out/time.out")" "$bytes" >>"$out/show.tsv"
		else
			echo "config_scale: vipctl show $opt with $1 VIPs: status $rc: $(cat "$out/last.err" "$out/time.out")" >&2
			failures=$((failures + 1))
		fi
	done
}

# dump_hold N REP: how long each vipfo_nl_group_dump() call took (it
# holds RTNL throughout; a kprobe and a kretprobe) while `vipctl show
# scale` listed N VIPs: calls and the longest, in dump.tsv.
T=/sys/kernel/tracing
dump_hold()
{
	local stats

	echo 'p:vcfg/dump_in vipfo:vipfo_nl_group_dump' >>$T/kprobe_events &&
	echo 'r:vcfg/dump_out vipfo:vipfo_nl_group_dump' >>$T/kprobe_events || {
		echo "config_scale: cannot probe vipfo_nl_group_dump" >&2
		failures=$((failures + 1))
		return
	}
	echo >$T/trace
	echo 1 >$T/events/vcfg/enable
	echo 1 >$T/tracing_on
	in_ns "$SRV" "$VIPCTL" show scale >/dev/null
	echo 0 >$T/events/vcfg/enable
	# "vipctl-1 [000] ..... 12.345678: dump_in: (...)": the timestamp is
	# the field before the event's name.
	stats=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^dump_(in|out):$/) break }
		$i == "dump_in:" { t = $(i - 1) + 0 }
		$i == "dump_out:" && t { d = $(i - 1) - t; n++; if (d > max) max = d; t = 0 }
		END { printf "%d\t%.6f", n, max * 1000 }' $T/trace)
	echo '-:vcfg/dump_in' >>$T/kprobe_events
	echo '-:vcfg/dump_out' >>$T/kprobe_events
	printf '%s\t%s\t%s\n' "$1" "$2" "$stats" >>"$out/dump.tsv"
	if [ "${stats%%	*}" = 0 ]; then
		echo "config_scale: no vipfo_nl_group_dump call traced" >&2
		failures=$((failures + 1))
	fi
}

# settle: until the hash table's resize is over. Its worker grows the
# table after the add returns (at a million VIPs, 16 MB of buckets and a
# rehash that take seconds here): wait until Slab + VmallocUsed stay the
# same for 2 s (at most 60 s).
settle()
{
	local i last= now

	for ((i = 0; i < 60; i++)); do
		now=$(awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo)
		[ "$now" = "$last" ] && return
		last=$now
		sleep 2
	done
	echo "config_scale: memory still changing after 120 s" >&2
}

meminfo()
{
	grep -E '^(MemFree|MemAvailable|Slab|SUnreclaim|VmallocUsed):' /proc/meminfo
	grep '^vipfo_vip ' /proc/slabinfo
}

ip netns del "$SRV" 2>/dev/null
ip netns add "$SRV"
ip -n "$SRV" link set lo up
vipctl group add scale || exit 1
for n in "$NSMALL" "$NLOCAL"; do
	"$PYTHON" "$BENCH_DIR/vips.py" "$n" add >"/tmp/ip-add.$n"
	"$PYTHON" "$BENCH_DIR/vips.py" "$n" del >"/tmp/ip-del.$n"
done
vips_file "$NLOCAL" >/dev/null
vips_file "$NVIPS" >/dev/null
vips_file "$NVIPS" 6 >/dev/null
for f in 4 6; do
	for verb in add del; do
		"$PYTHON" "$BENCH_DIR/vips.py" "$NMEM" "vipctl-$verb" "$f" \
			>"/tmp/vipctl-$verb.$NMEM.$f"
	done
done

for ((rep = 1; rep <= REPS; rep++)); do
	for n in "$NSMALL" "$NLOCAL"; do
		timed ip-batch-add "$n" "$rep" ip -n "$SRV" -batch "/tmp/ip-add.$n"
		timed ip-batch-del "$n" "$rep" ip -n "$SRV" -batch "/tmp/ip-del.$n"
	done
	timed vipctl-add "$NLOCAL" "$rep" vipctl_vips add scale "$NLOCAL"
	timed vipctl-del "$NLOCAL" "$rep" vipctl_vips del scale "$NLOCAL"
	timed vipctl-nolocal-add "$NLOCAL" "$rep" vipctl_vips add scale "$NLOCAL" --no-local
	timed vipctl-nolocal-del "$NLOCAL" "$rep" vipctl_vips del scale "$NLOCAL" --no-local
	sync
	sleep 1
	meminfo >"$out/mem-$rep-before"
	timed vipctl-nolocal-add "$NVIPS" "$rep" vipctl_vips add scale "$NVIPS" --no-local
	# The hash table grows in a work item; old tables go after RCU.
	settle
	meminfo >"$out/mem-$rep-after"
	show_rss "$NVIPS" "$rep"
	dump_hold "$NVIPS" "$rep"
	timed vipctl-nolocal-del "$NVIPS" "$rep" vipctl_vips del scale "$NVIPS" --no-local
	# The same for IPv6 VIPs: the memory goal holds for either family.
	sync
	sleep 1
	meminfo >"$out/mem6-$rep-before"
	timed vipctl-nolocal6-add "$NVIPS" "$rep" vipctl_vips add scale "$NVIPS" --family 6 --no-local
	settle
	meminfo >"$out/mem6-$rep-after"
	timed vipctl-nolocal6-del "$NVIPS" "$rep" vipctl_vips del scale "$NVIPS" --family 6 --no-local
	progress "config #$rep: $(awk -v r="$rep" '$3 == r { printf "%s/%s %.2fs  ", $1, $2, $4 }' "$out/runs.tsv")"
done
for ((rep = 1; rep <= MEMREPS; rep++)); do
	for f in 4 6; do
		p=bigmem; [ "$f" = 6 ] && p=bigmem6
		label=vipctl-nolocal; [ "$f" = 6 ] && label=vipctl-nolocal6
		sync
		sleep 1
		meminfo >"$out/$p-$rep-before"
		timed "$label-add" "$NMEM" "$rep" vipctl -b "/tmp/vipctl-add.$NMEM.$f"
		settle
		meminfo >"$out/$p-$rep-after"
		if [ "$f" = 4 ]; then
			show_rss "$NMEM" "$rep"
			dump_hold "$NMEM" "$rep"
		fi
		timed "$label-del" "$NMEM" "$rep" vipctl -b "/tmp/vipctl-del.$NMEM.$f"
	done
	progress "config, $NMEM VIPs #$rep: $(awk -v r="$rep" -v n="$NMEM" '$2 == n && $3 == r { printf "%s %.1fs  ", $1, $4 }' "$out/runs.tsv")"
done
ip netns del "$SRV"
if [ "$failures" -gt 0 ]; then
	echo "config_scale: $failures commands failed; their figures are missing" >&2
	exit 1
fi
