#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the fault matrix (fault_*.sh), sourced after lib.sh:
# configuration snapshots to compare before and after a fault, the client's
# ARP flood, batched flaps, more adapters, counting the monitor's events,
# and the bookkeeping of background vipctl loops.
#
# Every fault case ends by comparing `vipctl show --json` with what was
# configured. Device states and counters are what a fault changes, so they
# are left out; everything else (group options, members with their ifindex,
# name and MAC, the VIPs and their count) must be as set.

# progress MSG: a diagnostic line with the seconds since the test began
progress()
{
	diag "$* (at ${SECONDS} s)"
}

# ---------------------------------------------------------------- reach

# reach6 ADDR: the client resolves ADDR afresh (a neighbour solicitation)
# and its ping gets an answer
reach6()
{
	cli ip -6 neigh flush dev c0 >/dev/null 2>&1
	cli ping -6 -c 1 -W 2 "$1" >/dev/null 2>&1 ||
		cli ping -6 -c 1 -W 2 "$1" >/dev/null 2>&1
}

# ---------------------------------------------------------------- config

# config_snapshot FILE [GROUP]: the configuration of the server's groups
# (or of GROUP), normalised: no device states or counters, groups and
# devices by name, VIPs sorted.
config_snapshot()
{
	local out=$1

	shift
	vipctl show "$@" --json >"$out.raw" || return 1
	"$PYTHON" - "$out.raw" "$out" <<'EOF'
import ipaddress, json, sys
j = json.load(open(sys.argv[1]))
for g in j["groups"]:
    g.pop("stats", None)
    for d in g["devices"]:
        d.pop("state", None)
        d.pop("stats", None)
    g["devices"].sort(key=lambda d: d["ifname"])
    g["vips"].sort(key=lambda a: (ipaddress.ip_address(a).version, ipaddress.ip_address(a)))
j["groups"].sort(key=lambda g: g["name"])
with open(sys.argv[2], "w") as f:
    json.dump(j, f, indent=1, sort_keys=True)
    f.write("\n")
EOF
}

# config_edit IN OUT CODE: OUT is the snapshot IN changed by the Python
# CODE, which sees the document j and helpers group(NAME), dev(GROUP,
# IFNAME), drop_dev(GROUP, IFNAME).
config_edit()
{
	"$PYTHON" - "$@" <<'EOF'
import ipaddress, json, sys
j = json.load(open(sys.argv[1]))
def group(name):
    return [g for g in j["groups"] if g["name"] == name][0]
def dev(gname, ifname):
    return [d for d in group(gname)["devices"] if d["ifname"] == ifname][0]
def drop_dev(gname, ifname):
    g = group(gname)
    g["devices"] = [d for d in g["devices"] if d["ifname"] != ifname]
exec(sys.argv[3])
for g in j["groups"]:
    g["devices"].sort(key=lambda d: d["ifname"])
    g["vips"].sort(key=lambda a: (ipaddress.ip_address(a).version, ipaddress.ip_address(a)))
with open(sys.argv[2], "w") as f:
    json.dump(j, f, indent=1, sort_keys=True)
    f.write("\n")
EOF
}

# check_config DESC EXPECTED [GROUP]: the configuration now equals the
# snapshot EXPECTED; the differences become diagnostics.
check_config()
{
	local desc=$1 want=$2 now="$TMPD/config-now.json"

	shift 2
	if ! config_snapshot "$now" "$@"; then
		not_ok "$desc" "vipctl show failed: $(cat "$now.raw")"
		return
	fi
	if cmp -s "$want" "$now"; then
		ok "$desc"
	else
		not_ok "$desc" "configuration (- expected, + now):" \
			"$(diff -u "$want" "$now" | sed -n '3,$p' | head -n 40)"
	fi
}

# all_up GROUP IF...: vipfo reports every IF of GROUP up
all_up()
{
	local g=$1 i states=()

	shift
	for i in "$@"; do
		states+=("$i=up")
	done
	states_are "$g" "${states[@]}"
}

# more_than N CMD...: CMD prints a number greater than N (for slowwait)
more_than()
{
	local n=$1 v

	shift
	v=$("$@") && [ -n "$v" ] && [ "$v" -gt "$n" ]
}

# group_stat GROUP NAME [IF]: a counter of GROUP (or of its member IF)
group_stat()
{
	local f="$TMPD/stat-$1.json"

	vipctl show "$1" --json --stats >"$f" || return 1
	if [ -n "${3:-}" ]; then
		json_value "$f" "[x['stats']['$2'] for x in j['groups'][0]['devices'] if x['ifname'] == '$3'][0]"
	else
		json_value "$f" "j['groups'][0]['stats']['$2']"
	fi
}

# ---------------------------------------------------------------- topology

# add_adapter IF PORT: one more server adapter IF whose peer PORT is a port
# of the switch's bridge, up, with the host recipe's rp_filter.
add_adapter()
{
	ip -n "$SRV" link add "$1" type veth peer name "$2" netns "$SW" ||
		return 1
	srv sysctl -qw "net.ipv4.conf.$1.rp_filter=0"
	printf '%s\n' "link set $2 master br0 up" | ip -n "$SW" -b - &&
		ip -n "$SRV" link set "$1" up &&
		slowwait 10 links_up "$SRV" "$1"
}

# ---------------------------------------------------------------- flaps

# flap_lines PREFIX N FIRST: `ip -batch` lines for N flaps (down, then up)
# of PREFIX1..PREFIX3 in turn, starting with number FIRST (1-3). Run in
# $SRV with PREFIX a (admin) or in $SW with PREFIX p (carrier, the switch
# port). One process per batch: a process per flap costs a tenth of a
# second or more under software emulation, a batched flap milliseconds.
flap_lines()
{
	local prefix=$1 n=$2 first=$3 i k

	for ((i = 0; i < n; i++)); do
		k=$(((first - 1 + i) % 3 + 1))
		echo "link set $prefix$k down"
		echo "link set $prefix$k up"
	done
}

# ---------------------------------------------------------------- flood

# flood_start PPS VIP...: the client floods ARP requests for the VIPs at
# about PPS a second in all, one mausezahn (netsniff-ng) per VIP, until
# flood_stop. mausezahn sleeps between frames: trafgen's pacing spins a
# CPU of its own, and a python sender manages a few hundred a second,
# under software emulation. A slower kernel (VIPFO_TIMEOUT_FACTOR, set by
# check-debug) gets the same load for its speed: PPS divided by the
# factor. Measured there at the full rate: RCU grace periods of 4 to 14 s,
# and every device deletion and unload waits for dozens of them.
flood_start()
{
	local pps=$(($1 / ${VIPFO_TIMEOUT_FACTOR:-1})) v gap

	shift
	gap=$((1000000 * $# / pps))
	FLOOD_PIDS=()
	FLOOD_START=$(now_ms)
	FLOOD_TX0=$(tx_packets "$CLI" c0)
	for v in "$@"; do
		bg ip netns exec "$CLI" mausezahn c0 -q -c 0 -d "${gap}usec" \
			-t arp "request, senderip=$CLIENT_IP, targetip=$v" \
			>>"$TMPD/flood.log" 2>&1
		FLOOD_PIDS+=("$BG_PID")
	done
}

# flood_running: every sender of the flood still runs
flood_running()
{
	local pid

	[ "${#FLOOD_PIDS[@]}" -gt 0 ] || return 1
	for pid in "${FLOOD_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || return 1
	done
}

# flood_stop: stop the flood; FLOOD_SENT is the number of frames the
# client sent meanwhile (nearly all of them the flood's), in FLOOD_MS ms.
flood_stop()
{
	local pid

	for pid in "${FLOOD_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	FLOOD_PIDS=()
	FLOOD_MS=$(($(now_ms) - FLOOD_START))
	FLOOD_SENT=$(($(tx_packets "$CLI" c0) - FLOOD_TX0))
}

# tx_packets NS IF: frames IF of namespace NS sent
tx_packets()
{
	ip netns exec "$1" awk -v i="$2:" '$1 == i { print $11 }' /proc/net/dev
}

# ---------------------------------------------------------------- events

# Counting the events of a `vipctl monitor --json` log: grep, as the keys
# come in a fixed order (docs/vipctl-json.md); a Python process per count
# costs more than the events themselves under software emulation.

# failovers LOG IF [REASON]: failover events of member IF, of REASON or of
# any reason but mac-change (which is no failure)
failovers()
{
	grep "^{\"event\":\"failover\",\"group\":\"[^\"]*\",\"failed\":{\"ifname\":\"$2\"," "$1" |
		if [ -n "${3:-}" ]; then
			grep -c "\"reason\":\"$3\""
		else
			grep -vc '"reason":"mac-change"'
		fi
}

# recoveries LOG IF: recover events of member IF
recoveries()
{
	grep -c "^{\"event\":\"recover\",\"group\":\"[^\"]*\",\"device\":{\"ifname\":\"$2\"," "$1"
}

# reasons LOG REASON: failover events of any member for REASON
reasons()
{
	grep -c "^{\"event\":\"failover\",.*\"reason\":\"$2\"" "$1"
}

# removals LOG IF: dev-del events that list IF first
removals()
{
	grep -c "^{\"event\":\"change\",\"group\":\"[^\"]*\",\"change\":\"dev-del\",\"devices\":\[{\"ifname\":\"$2\",[^]]*\]" "$1"
}

# settled LOG IF...: every failover of each IF has its recovery
settled()
{
	local log=$1 i

	shift
	for i in "$@"; do
		[ "$(failovers "$log" "$i")" = "$(recoveries "$log" "$i")" ] ||
			return 1
	done
}

# tx_of IF: frames the server's IF sent, read through the monitor (which
# runs in the server's namespace) without a process to enter it
tx_of()
{
	awk -v i="$1:" '$1 == i { print $11 }' "/proc/$MONITOR_PID/net/dev"
}

# ---------------------------------------------------------------- loops

# Background loops of vipctl commands run inside the server's namespace
# (loop_start): a process to enter the namespace for every command would
# cost more than the command. They record each command's outcome in their
# log: "ok|busy|fail <exit> <command>", then vipctl's line for failures.

# loop_start NS FUNC: run the shell function FUNC in the background in
# namespace NS; it sees the variables and functions exported by then (op
# and ip_op are). LOOP_PID is its process.
loop_start()
{
	bg ip netns exec "$1" bash -c "$2"
	LOOP_PID=$BG_PID
}

# op LOG ALLOWED CMD...: (in a loop) run vipctl CMD, bounded (a hang is a
# failure), and log the outcome; ALLOWED is an extended regex of error
# lines that are expected (contention with another loop), or '' for none.
op()
{
	local log=$1 allowed=$2 rc out

	shift 2
	out=$(timeout 60 "$VIPCTL" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok 0 $*" >>"$log"
	elif [ "$rc" = 1 ] && [ -n "$allowed" ] &&
	     grep -qE "$allowed" <<<"$out"; then
		echo "busy 1 $*" >>"$log"
		echo "  $out" >>"$log"
	else
		echo "fail $rc $*" >>"$log"
		echo "  $out" >>"$log"
	fi
	return "$rc"
}

# ip_op LOG CMD...: (in a loop) an ip command, logged like op's; it must
# succeed
ip_op()
{
	local log=$1 out rc

	shift
	out=$(ip "$@" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok 0 ip $*" >>"$log"
	else
		printf 'fail %s ip %s\n  %s\n' "$rc" "$*" "$out" >>"$log"
	fi
}

export -f op ip_op
export VIPCTL

# loop_summary LOG: "N commands, N expected failures, N unexpected"
loop_summary()
{
	awk '$1 == "ok" || $1 == "busy" || $1 == "fail" { n[$1]++; t++ }
	     END { printf "%d commands, %d refused as expected, %d failed\n",
		   t, n["busy"], n["fail"] }' "$1"
}

# check_loop DESC LOG: the loop ran, at least one of its commands
# succeeded and none failed unexpectedly; the refusals it expected become
# diagnostics (how many of each, addresses and names left out)
check_loop()
{
	if grep -q '^fail ' "$2" 2>/dev/null; then
		not_ok "$1: $(loop_summary "$2")" \
			"$(grep -A1 '^fail ' "$2" | head -n 20)"
	elif ! grep -q '^ok ' "$2" 2>/dev/null; then
		not_ok "$1: the loop ran, a command succeeded" \
			"log $2: $(loop_summary "$2" 2>&1)" \
			"$(head -n 20 "$2" 2>&1)"
	else
		ok "$1: $(loop_summary "$2")"
	fi
	grep -A1 '^busy ' "$2" 2>/dev/null | sed -n 's/^  vipctl: [^:]*: //p' |
		sed 's/^[^ :]*: //' | sort | uniq -c | sort -rn | head -n 5 |
		sed 's/^ */refused: /' | while IFS= read -r line; do
			diag "$line"
		done
}
