#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the IPv6 (neighbour discovery) selftests, on top of lib.sh:
# the hosts' ND tool (ndisc_client.py, one process per test, as lib.sh
# runs arp_client.py), the checks of the advertisements it receives, what
# the server's adapters send, and the group's counters. A test sources
# lib.sh, then this file, and sets NS_IPV6=1 before its setup.

VIP6_1=2001:db8::100
VIP6_2=2001:db8::101
ALL_NODES=ff02::1
ALL_NODES_MAC=33:33:00:00:00:01

# require_scapy6: scapy with its IPv6 layers, for ndisc_client.py, in a
# test without arp_client.py (lib.sh's require_scapy starts that one)
require_scapy6()
{
	"$PYTHON" -c 'import scapy.layers.inet6, scapy.sendrecv' 2>/dev/null ||
		skip_all "python3-scapy not installed for $PYTHON"
}

# ---------------------------------------------------------------- MACs

# remember_macs: the MACs of the devices of every namespace of the test,
# once (a setup step): mac() costs a process or two each, a second under
# software emulation.
declare -A MAC_OF
remember_macs()
{
	local ns i m

	for ns in "${NS_LIST[@]}"; do
		while read -r i m; do
			MAC_OF[$ns/$i]=$m
		done < <(ip -n "$ns" -o link show |
			sed -n 's|^[0-9]*: \([^:@]*\)[:@].* link/ether \([0-9a-f:]*\) .*|\1 \2|p')
	done
}

# adapter_with MAC: the server's adapter (a1-a4) that has MAC, or "?"
adapter_with()
{
	local i

	for i in a1 a2 a3 a4; do
		[ "$(mac_of "$SRV" "$i" 2>/dev/null)" = "$1" ] && echo "$i" && return 0
	done
	echo "?"
}

# mac_of NS IF: the MAC of IF in NS, remembered or asked for
mac_of()
{
	local m=${MAC_OF[$1/$2]:-}

	[ -n "$m" ] || m=$(mac "$1" "$2")
	echo "$m"
}

# ---------------------------------------------------------------- ND client

# ndc_start NS: ndisc_client.py serve in namespace NS, fed through two
# FIFOs; cleanup kills it.
ndc_start()
{
	mkfifo "$TMPD/ndc.in" "$TMPD/ndc.out" || return 1
	# (Redirected in the background child: opening a FIFO blocks.)
	ip netns exec "$1" "$PYTHON" "$SELFTEST_DIR/ndisc_client.py" serve \
		<"$TMPD/ndc.in" >"$TMPD/ndc.out" 2>"$TMPD/ndc.err" &
	BG_PIDS+=("$!")
	exec {NDC_IN}>"$TMPD/ndc.in" {NDC_OUT}<"$TMPD/ndc.out"
}

# ndc_start_cli, ndc_start_cli2: on the client, on the second host (steps
# of setup_or_finish)
ndc_start_cli() { ndc_start "$CLI"; }
ndc_start_cli2() { ndc_start "$CLI2"; }

# ndc COMMAND [OPTIONS]: run one ndisc_client.py command in the running
# tool and print its output.
ndc()
{
	local line

	if [ -z "${NDC_IN:-}" ]; then
		echo "ndisc_client not running (ndc_start)" >&2
		return 1
	fi
	printf '%s\n' "$*" >&"$NDC_IN"
	while IFS= read -r -t 300 line <&"$NDC_OUT"; do
		[ "$line" = "." ] && return 0
		printf '%s\n' "$line"
	done
	echo "ndisc_client died: $(tail -n 5 "$TMPD/ndc.err")" >&2
	return 1
}

# solicit TARGET[,TARGET] [ndisc_client.py solicit options]: the client's
# solicitation from c0; prints the advertisements received (the format of
# ndisc_client.py).
solicit()
{
	local target=$1

	shift
	ndc solicit --iface c0 --target "$target" --src "$CLIENT6_IP" \
		--window "${NS_WINDOW:-1}" "$@"
}

# na_capture_start [SECONDS [MAX]]: record the advertisements the host of
# ndc_start sees on c0 until SECONDS (default 3) after the first one (MAX
# s at most, default 20); returns once listening.
na_capture_start()
{
	ndc capture --iface c0 --window "${1:-3}" --max "${2:-20}" \
		>"$TMPD/na_capture.err"
	[ ! -s "$TMPD/na_capture.err" ]
}

# na_capture_wait FILE: wait for the capture's end, its output into FILE
na_capture_wait()
{
	ndc collect >"$1"
}

# check_adverts DESC NAS TARGET IP_DST ETH_DST FLAGS IF...: the advertisements
# NAS (ndisc_client.py's lines) are exactly one for each IF named (an
# adapter named twice: two), with that adapter's MAC as Ethernet source
# and in the target link-layer option, for TARGET, from TARGET (the VIP
# is the source), to IP_DST at ETH_DST, with FLAGS (e.g. SO) and hop limit
# 255; nothing else.
check_adverts()
{
	local desc=$1 nas=$2 target=$3 ipdst=$4 ethdst=$5 flags=$6 want got i m

	shift 6
	want=$(for i in "$@"; do
		m=$(mac_of "$SRV" "$i")
		echo "$m $ethdst $target $ipdst $target $m $flags 255"
	done | sort)
	got=$(awk 'NF { print $1, $2, $3, $4, $5, $6, $7, $8 }' <<<"$nas" | sort)
	if [ "$want" = "$got" ]; then
		ok "$desc"
	else
		not_ok "$desc" "expected one advertisement for each of: $*" \
			"(eth src, eth dst, ip src, ip dst, target, TLLA, flags, hop limit):" \
			"$want" \
			"($(for i in $(printf '%s\n' "$@" | sort -u); do
				echo -n "$i=$(mac_of "$SRV" "$i") "; done))" \
			"received (... interface, time):" "${nas:-(none)}"
	fi
}

# answers_only: the lines of ndisc_client.py's output that are not to all
# nodes (a failover's unsolicited advertisements, which may come during a
# solicitation's window)
answers_only()
{
	awk -v all="$ALL_NODES" 'NF && $4 != all'
}

# check_solicited DESC NAS TARGET IF...: the answers to the client's
# solicitation: Solicited and Override, to the client's address and MAC.
check_solicited()
{
	local desc=$1 nas=$2 target=$3

	shift 3
	check_adverts "$desc" "$nas" "$target" "$CLIENT6_IP" \
		"$(mac_of "$CLI" "${REPLY_IFACE:-c0}")" SO "$@"
}

# check_none DESC NAS: no advertisement at all
check_none()
{
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "received:" "$2"
	fi
}

# ---------------------------------------------------------------- what an adapter sends

# na_watch IF...: count the neighbour advertisements handed to server
# adapter IF, also those it drops because it cannot send (tx_watch's way,
# lib.sh: tc's egress hook mirrors each to a dummy device vIF).
na_watch()
{
	local i

	for i in "$@"; do
		echo "link add v$i type dummy"
		echo "link set v$i up"
	done | ip -n "$SRV" -b - || return 1
	for i in "$@"; do
		echo "qdisc add dev $i clsact"
		echo "filter add dev $i egress protocol ipv6 flower ip_proto icmpv6 type 136 action mirred egress mirror dev v$i"
	done | tc -n "$SRV" -b -
}

# na_count IF: advertisements handed to IF since na_watch
na_count()
{
	counter "$SRV" "v$1" tx
}

# check_na_silent DESC IF TX_BEFORE COUNTERS_BEFORE: nothing was handed to
# IF since na_count said TX_BEFORE, and its counters in group web (garps,
# replies, tx_errors) still read COUNTERS_BEFORE
check_na_silent()
{
	local desc=$1 tx counters

	tx=$(na_count "$2")
	counters=$(member_counters web "$2")
	if [ "$tx" = "$3" ] && [ "$counters" = "$4" ]; then
		ok "$desc"
	else
		not_ok "$desc" "advertisements handed to $2: $3 before, $tx after" \
			"its counters (garps replies tx_errors): $4 before, $counters after"
	fi
}

# ---------------------------------------------------------------- counters

# group_stats NAME...: counters NAME... of group web, space-separated (awk
# on the one-line JSON, whose group counters come before its devices':
# cheaper than a Python process)
group_stats()
{
	vipctl show web --json --stats | awk -v names="$*" '
		{
			n = split(names, k, " ")
			for (i = 1; i <= n; i++) {
				if (!match($0, "\"" k[i] "\":[0-9]+")) exit 1
				out = out (i > 1 ? " " : "") substr($0, RSTART + length(k[i]) + 3, RLENGTH - length(k[i]) - 3)
			}
			print out
		}'
}

# member_stats NAME IF...: counter NAME of group web, then of each of its
# members IF, space-separated ("?" for one that is not there)
member_stats()
{
	local name=$1

	shift
	vipctl show web --json --stats | awk -v name="$name" -v devs="$*" '
		BEGIN { RS = "\\{\"ifname\":\"" }
		match($0, "\"" name "\":[0-9]+") {
			v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
			if (NR == 1)
				group = v
			else
				dev[substr($0, 1, index($0, "\"") - 1)] = v
		}
		END {
			n = split(devs, d, " ")
			out = group == "" ? "?" : group
			for (i = 1; i <= n; i++)
				out = out " " (d[i] in dev ? dev[d[i]] : "?")
			print out
		}'
}
