#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault matrix, lifetimes: the module unloaded and reloaded while traffic
# and configuration churn go on, and a namespace deleted with live groups.
#
# Reloads: $VIPFO_RELOADS times (default 20), a group of a1 a2 a3 with
# 1,000 VIPs (half of them IPv6) is configured, a1 loses carrier (an announcement of 10 rounds
# starts) and `rmmod vipfo` follows at once, while the client floods ARP
# requests for the VIPs, a vipctl loop changes another group (and, when it
# finds the module gone, loads it again through the family's alias) and a
# `vipctl monitor` keeps its generic netlink socket open throughout.
# Expected of each rmmod: it returns (within 60 s) having waited for
# everything in flight (the announcement work, RCU callbacks: nothing of
# the module runs afterwards, the kernel log stays clean), and either
# succeeds or fails at once with "in use" (EAGAIN/EWOULDBLOCK: a dump of
# a vipctl holds a reference on the module while it runs; EBUSY: the
# module is still being loaded by an autoload). Then it is tried again. An
# open socket does not pin the module: the monitor does not keep rmmod
# from succeeding. Afterwards the module configures, answers and fails
# over as ever.
#
# Namespace deletion: the server's namespace, with two groups (members,
# 5,000 VIPs, an announcement in progress) is deleted while the client
# floods: its devices must be freed (no "unregister_netdevice: waiting"),
# a group in another namespace stays as it was, and the module can be
# unloaded afterwards.

source "$(dirname "$0")/lib.sh"
source "$SELFTEST_DIR/fault_lib.sh"

RELOADS=${VIPFO_RELOADS:-20}
NVIPS=1000
FLOOD_PPS=2000
STOP=$TMPD/stop
# What rmmod may say while the module is busy for a moment.
RMMOD_BUSY='is in use|Resource temporarily unavailable|Device or resource busy'

require_all
require_scapy
require_cmd mausezahn rmmod
require_reloadable
tap_header

NS_IPV6=1
setup_or_finish setup_topology
for i in 5 6; do
	add_adapter "a$i" "p$i" || not_ok "adapter a$i set up"
done
VIPS="$VIP1 $VIP2 $VIP3"
# Both families: half the VIPs are IPv6 (their members join solicited-node
# groups, which must be left as the module or the namespace goes).
mapfile -t vips < <(for ((i = 0; i < NVIPS; i += 2)); do
	echo "10.77.$((i / 250)).$((i % 250 + 1))"
	printf '2001:db8:77::%x\n' "$((i + 1))"
done)
vips_arg=$(IFS=,; echo "$VIP1,$VIP2,$VIP3,${vips[*]}")

# Configuration churn on a group of its own, until STOP. Whatever it meets
# (the module gone, its group gone with it) vipctl must answer: within
# 60 s, with exit 0 or 1 and a message; never hang or crash.
loop_churn()
{
	local log=$TMPD/loop-churn allowed='^vipctl: '

	while [ ! -e "$STOP" ]; do
		op "$log" "$allowed" group add churn --dev a5 --no-local \
			--vip "$(seq -s , -f 10.5.0.%g 1 100)"
		op "$log" "$allowed" dev add churn a6
		op "$log" "$allowed" vip del churn --no-local \
			"$(seq -s , -f 10.5.0.%g 1 50)"
		op "$log" "$allowed" show --json
		op "$log" "$allowed" dev del churn a5
		op "$log" "$allowed" group del churn
	done
}

# ---------------------------------------------------------------- reloads

progress "$RELOADS reloads under an ARP flood, churn and a monitor"
bg ip netns exec "$SRV" "$VIPCTL" monitor --json >"$TMPD/monitor" \
	2>"$TMPD/monitor.err"
monitor_pid=$BG_PID
flood_start "$FLOOD_PPS" $VIPS 10.77.0.1 10.5.0.1
export -f loop_churn
export TMPD STOP
loop_start "$SRV" loop_churn
churn_pid=$LOOP_PID

unloads=0 busy=0 bad=
for ((n = 1; n <= RELOADS; n++)); do
	modprobe vipfo || { bad+="modprobe failed in round $n; "; break; }
	if ! out=$(vipctl group add web --dev a1,a2,a3 --no-local \
		--garp-count 10 --garp-interval 100 --vip "$vips_arg" 2>&1); then
		bad+="round $n: group add: $out; "
	fi
	ip -n "$SW" link set p1 down
	for ((try = 1; try <= 100; try++)); do
		out=$(timeout "$(hang_limit 60)" rmmod vipfo 2>&1)
		rc=$?
		if [ "$rc" = 0 ]; then
			unloads=$((unloads + 1))
			break
		elif [ "$rc" = 124 ]; then
			bad+="round $n: rmmod hung for $(hang_limit 60) s; "
			break 2
		elif grep -qE "$RMMOD_BUSY" <<<"$out"; then
			busy=$((busy + 1))
			sleep 0.1
		else
			bad+="round $n: rmmod exit $rc: $out; "
			break
		fi
	done
	ip -n "$SW" link set p1 up
	[ $((n % 5)) = 0 ] &&
		progress "$n reloads, rmmod busy $busy times"
done
touch "$STOP"
wait "$churn_pid"
flood_running && flooding=yes || flooding=no
flood_stop

if [ -z "$bad" ] && [ "$unloads" = "$RELOADS" ]; then
	ok "$RELOADS unloads, each right after a failover of $((NVIPS + 3)) VIPs began ($busy times busy first)"
else
	not_ok "$RELOADS unloads, each right after a failover began" \
		"$unloads unloads, busy $busy times" "$bad"
fi
check_loop "vipctl churn meanwhile: answered every time" "$TMPD/loop-churn"
if [ "$flooding" = yes ]; then
	ok "ARP flood meanwhile: $FLOOD_SENT requests"
else
	not_ok "ARP flood meanwhile" "$(cat "$TMPD/flood.log")"
fi

# What does pin the module: a dump in progress (the netlink core holds a
# reference while it runs). rmmod refuses at once, and succeeds once the
# dump's socket is closed.
modprobe vipfo
check "group hold with $NVIPS VIPs (more than one dump message)" \
	vipctl group add hold --no-local --vip "$(IFS=,; echo "${vips[*]}")"
bg ip netns exec "$SRV" "$PYTHON" "$SELFTEST_DIR/genl_hold.py" \
	--ready "$TMPD/held" 2>"$TMPD/hold.err"
hold_pid=$BG_PID
if slowwait 30 test -e "$TMPD/held"; then
	start=$(now_ms)
	out=$(timeout "$(hang_limit 60)" rmmod vipfo 2>&1)
	rc=$?
	ms=$(($(now_ms) - start))
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -qE "$RMMOD_BUSY" <<<"$out" &&
	   [ -d /sys/module/vipfo ]; then
		ok "rmmod during a dump: refused in $ms ms ($out)"
	else
		not_ok "rmmod during a dump: refused at once" \
			"exit $rc after $ms ms: $out"
	fi
else
	not_ok "a dump left in progress" "$(cat "$TMPD/hold.err")"
fi
kill "$hold_pid"
wait "$hold_pid"
check "rmmod once the dump's socket is closed" timeout "$(hang_limit 60)" rmmod vipfo

mon_lines=$(wc -l <"$TMPD/monitor")
# The module works as ever.
modprobe vipfo
check "after the reloads: group web with a1 a2 a3" \
	vipctl group add web --dev a1,a2,a3 --vip "${VIPS// /,}" --garp-count 2
check_replies "after the reloads: a1 a2 a3 answer" \
	"$(arp_request "$VIP1")" a1 a2 a3
if capture_start 3; then
	GARP_SINCE=$EPOCHREALTIME
	fail_adapter admin-down a1
	capture_wait "$TMPD/garp"
	check_garps "after the reloads: a1 down is announced by a2 a3" \
		"$TMPD/garp" 2 "$VIPS" a2 a3
else
	not_ok "capture started" "$(cat "$TMPD/capture.err")"
fi
recover_adapter admin-down a1
# (Not asserted: what a monitor started before the reloads makes of them.)
if kill -0 "$monitor_pid" 2>/dev/null; then
	diag "a vipctl monitor from before the reloads still runs; it got $(($(wc -l <"$TMPD/monitor") - mon_lines)) events of the module loaded last; stderr: $(head -c 300 "$TMPD/monitor.err")"
else
	wait "$monitor_pid"
	diag "a vipctl monitor from before the reloads ended (exit $?): $(head -c 300 "$TMPD/monitor.err")"
fi

# ---------------------------------------------------------------- netns deletion

progress "namespace deleted with live groups"
# No process may stay in the server's namespace, or it outlives `ip netns
# del`: the monitor goes, and counters are read from the switch's side.
kill "$monitor_pid" 2>/dev/null
wait "$monitor_pid" 2>/dev/null
bg ip netns exec "$SW" sleep 3600
sw_pid=$BG_PID
# rx_of PORT: frames the switch's PORT received
rx_of()
{
	awk -v i="$1:" '$1 == i { print $3 }' "/proc/$sw_pid/net/dev"
}

ip -n "$SRV" link add x1 type veth peer name x2
ip -n "$SRV" link set x1 up
ip -n "$SRV" link set x2 up
check "server: group aux with x1 x2 and two VIPs" \
	vipctl group add aux --dev x1,x2 --vip 198.51.100.1,2001:db8:99::1
mapfile -t more < <(for ((i = 0; i < 5000; i += 2)); do
	echo "10.78.$((i / 250)).$((i % 250 + 1))"
	printf '2001:db8:78::%x\n' "$((i + 1))"
done)
check "server: 5,000 more VIPs in web" vipctl vip add web --no-local "${more[@]}"
check "server: 10 GARPs 100 ms apart" \
	vipctl group set web --garp-count 10 --garp-interval 100

OTHER=other-$SUFFIX
setup_ns OTHER
printf '%s\n' "link add y1 type veth peer name y2" "link set y1 up" \
	"link set y2 up" | ip -n "$OTHER" -b -
check "other namespace: group app with y1 y2" \
	ip netns exec "$OTHER" "$VIPCTL" group add app --dev y1,y2 \
	--vip 203.0.113.1
SRV=$OTHER config_snapshot "$TMPD/other.json"

flood_start "$FLOOD_PPS" $VIPS 10.78.0.1
rx0=$(rx_of p2)
fail_adapter carrier-loss a1
if slowwait "$(hang_limit 30)" more_than $((rx0 + 2000)) rx_of p2; then
	ok "a1's failover is being announced ($(($(rx_of p2) - rx0)) frames from a2 so far)"
else
	not_ok "a1's failover is being announced" \
		"p2 received $(($(rx_of p2) - rx0)) frames"
fi
ip netns del "$SRV"
NS_LIST=("${NS_LIST[@]/$SRV/}")
start=$(now_ms)
if slowwait "$(hang_limit 60)" bash -c "! ip -n $SW link show p1 && ! ip -n $SW link show p2 &&
			! ip -n $SW link show p3 && ! ip -n $SW link show p5"; then
	ok "server namespace deleted: its adapters were freed in $(($(now_ms) - start)) ms"
else
	not_ok "server namespace deleted: its adapters were freed" \
		"$(ip -n "$SW" -br link)"
fi
flood_stop
if kernel_log_since_mark | grep -q 'unregister_netdevice: waiting'; then
	not_ok "no device waits for its references" \
		"$(kernel_log_since_mark | grep 'unregister_netdevice' | head -n 5)"
else
	ok "no device waits for its references"
fi
SRV=$OTHER check_config "other namespace: group app as it was" "$TMPD/other.json"

out=$(timeout "$(hang_limit 60)" rmmod vipfo 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	ok "rmmod vipfo afterwards"
else
	not_ok "rmmod vipfo afterwards" "exit $rc: $out"
fi
check "loads again" modprobe vipfo
check "other namespace: no group after the reload" no_groups "$OTHER"

finish
