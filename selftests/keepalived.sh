#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vipfo inside each host, keepalived (VRRP) between hosts (issue 15,
# docs/keepalived.md): two server hosts h1 and h2, three adapters each on
# one switch, a client; on each host a vipfo group "web" with a1 a2 a3 and
# the VIPs from a vipfo.conf with vrrp-instance = "VI_1", and Debian's
# keepalived with VRRP instance VI_1 on a1, whose notify FIFO feeds
# `vipctl vrrp --fifo`. h1 has priority 150, h2 100, preemption on
# (keepalived's default): h1 is the master whenever it is alive.
#
#   h1: a1 a2 a3 --+                     +-- a1 a2 a3 :h2
#                  +--- br0 (switch) ----+
#                            |
#                       c0 (client)
#
# VRRP needs an IPv4 source on its interface: a1 has 198.51.100.1/24
# (h2: .2), a subnet of its own, so the VIPs' routes, ARP and source
# selection never use it. keepalived 2.2.7 refuses an instance without a
# virtual_ipaddress ("No VIP specified; at least one is required"), so it
# owns one address of that subnet, 198.51.100.10, which is also how this
# test reads keepalived's state: it is on the master's a1 only.
#
# Checks, in order:
#   1. h1 master: its three adapters answer ARP for the VIP and NS for the
#      VIPv6, each with its own MAC; h2's answer nothing.
#   2. a2 of h1 (not keepalived's a1) loses carrier: vipfo alone moves the
#      client (keepalived stays master, h2 never becomes master), and a TCP
#      transfer to the VIP survives.
#   3. h1 dies (its three switch ports down: nothing of it reaches the
#      wire): h2 becomes master, its three adapters announce the VIPs
#      (gratuitous ARPs and unsolicited NAs at the client), and a new TCP
#      connection to the VIP reaches h2. Connections opened to h1 do not
#      survive: h2 has no socket for them and answers their next segment
#      with a reset (VRRP moves addresses, not connection state).
#   4. h1 comes back: preemption makes it master again, h2 backup.
#   5. keepalived of h1 stops (SIGTERM, then the ExecStopPost= of
#      docs/keepalived.md): h2 takes over, and h1's group has no VIPs
#      left.
# In 4 and 5 the client asks for the VIP every 50 ms; after the new
# master's first frame claiming the VIP (announcement or reply), no frame
# from the old master's MACs may claim it later than OVERLAP_MAX_MS.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ndisc_lib.sh"

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}

require_all
require_scapy
require_scapy6
require_cmd tcpdump arping flock
[ -x "$KEEPALIVED" ] || skip_all "keepalived not installed ($KEEPALIVED)"
tap_header

F=${VIPFO_TIMEOUT_FACTOR:-1}
NS_IPV6=1
VIP6=2001:db8::100
H1=h1-$SUFFIX
H2=h2-$SUFFIX
ADVERT=0.5		# s; master down after 3 of them plus the skew
# The switchover itself takes the backup's reception of the new master's
# advertisement, keepalived's FIFO line and one vipctl apply: tens to a
# few hundred ms under software emulation. An order of magnitude more:
OVERLAP_MAX_MS=$((2000 * F))
TRANSITION_MAX=$((15 * F))	# s, for a state change to show

# ---------------------------------------------------------------- topology

setup_hosts()
{
	setup_two_hosts && arpc_start && ndc_start "$CLI" && remember_macs
}

# vipfo.conf and keepalived.conf of host H (N: 1 or 2), then the group
# (without VIPs: keepalived decides), then keepalived itself
write_configs()
{
	local h=$1 n=$2 prio=$((200 - 50 * $2)) d=$TMPD/h$2

	mkdir -p "$d"
	cat >"$d/vipfo.conf" <<EOF
[group.web]
devices = ["a1", "a2", "a3"]
vips = ["$VIP1", "$VIP6"]
vrrp-instance = "VI_1"
EOF
	# A state log for the test (the order of lines may differ from the
	# order of events: keepalived runs each notify script on its own).
	cat >"$d/notify.sh" <<EOF
#!/bin/bash
echo "\$EPOCHREALTIME \$*" >>"$d/states"
EOF
	chmod +x "$d/notify.sh"
	cat >"$d/keepalived.conf" <<EOF
global_defs {
	router_id h$n
	script_user root
	notify_fifo $d/fifo
	notify_fifo_script "$VIPCTL vrrp --config $d/vipfo.conf --fifo"
}

vrrp_instance VI_1 {
	state BACKUP
	interface a1
	virtual_router_id 51
	priority $prio
	version 3
	advert_int $ADVERT
	# keepalived's own address, not a VIP of vipfo
	virtual_ipaddress {
		198.51.100.10/32 dev a1
	}
	# its gratuitous ARPs are for that address only: once
	garp_master_delay 0
	garp_master_repeat 1
	garp_master_refresh 0
	notify "$d/notify.sh"
}
EOF
}

# keepalived_start N: keepalived of host N in its namespace, in the
# foreground (its log in TMPD/hN/log), VRRP only
keepalived_start()
{
	local d=$TMPD/h$1 h

	[ "$1" = 1 ] && h=$H1 || h=$H2
	bg ip netns exec "$h" "$KEEPALIVED" -n -l -D -P \
		-f "$d/keepalived.conf" -p "$d/keepalived.pid" \
		-r "$d/vrrp.pid" >>"$d/log" 2>&1
	KA_PID[$1]=$BG_PID
}

# keepalived_stop N: SIGTERM, as systemctl stop does, wait for it, then
# what docs/keepalived.md's ExecStopPost= runs: keepalived's own STOP
# line does not always reach the FIFO script (2.2.7 sends the script
# SIGTERM first, and exits without waiting for it)
keepalived_stop()
{
	local d=$TMPD/h$1 h

	[ "$1" = 1 ] && h=$H1 || h=$H2
	kill "${KA_PID[$1]}" 2>/dev/null
	timeout $((10 * F)) tail --pid="${KA_PID[$1]}" -f /dev/null
	ip netns exec "$h" "$VIPCTL" vrrp --config "$d/vipfo.conf" \
		INSTANCE VI_1 STOP
}

declare -A KA_PID

# is_master NS: keepalived's own address is on a1 of NS
is_master()
{
	ip -n "$1" -4 addr show dev a1 | grep -q "inet 198.51.100.10/"
}

is_backup() { ! is_master "$1"; }

# holds_vips NS: vipfo's group web holds both VIPs, and they are on lo
holds_vips()
{
	ip netns exec "$1" "$VIPCTL" show web --json >"$TMPD/show.json" &&
		json_check "$TMPD/show.json" \
			"sorted(g['vips']) == sorted(['$VIP1', '$VIP6'])" &&
		addr_on_lo "$1" "$VIP1"
}

# holds_none NS: the group exists and holds no VIP, none on lo
holds_none()
{
	ip netns exec "$1" "$VIPCTL" show web --json >"$TMPD/show.json" &&
		json_check "$TMPD/show.json" "g['vips'] == []" &&
		! addr_on_lo "$1" "$VIP1"
}

master_with_vips() { is_master "$1" && holds_vips "$1"; }
backup_without_vips() { ! is_master "$1" && holds_none "$1"; }

# switched NEW OLD: NEW is master with the VIPs, OLD not master and
# without (keepalived of OLD may be gone)
switched() { master_with_vips "$1" && backup_without_vips "$2"; }

# diag_hosts: what both hosts believe, for a failure's diagnostics
diag_hosts()
{
	local n

	for n in 1 2; do
		echo "h$n states: $(tr '\n' ';' <"$TMPD/h$n/states" 2>/dev/null)"
		echo "h$n keepalived log (tail):"
		tail -n 12 "$TMPD/h$n/log" 2>/dev/null
	done
	echo "h1 group: $(ip netns exec "$H1" "$VIPCTL" show web --json 2>&1)"
	echo "h2 group: $(ip netns exec "$H2" "$VIPCTL" show web --json 2>&1)"
}

# wait_for DESC SECONDS CMD...: poll CMD; ok, or not ok with both hosts'
# state
wait_for()
{
	local desc=$1 t=$2

	shift 2
	if slowwait "$t" "$@"; then
		ok "$desc"
	else
		not_ok "$desc" "$(diag_hosts)"
	fi
}

setup_or_finish setup_hosts

# One capture of the client's ARP traffic for the whole test
CAPFILE=$TMPD/capture
bg ip netns exec "$CLI" tcpdump -i c0 -nn -e -tt -l arp \
	>"$CAPFILE" 2>"$CAPFILE.err"
check "capture on the client" slowwait 20 grep -q "listening on" "$CAPFILE.err"
if nd_capture_start; then
	ok "capture of the client's neighbour discovery"
else
	not_ok "capture of the client's neighbour discovery"
fi

# apply_new NS FILE: the group is created, without VIPs
apply_new()
{
	ip netns exec "$1" "$VIPCTL" apply "$2" && holds_none "$1"
}

for n in 1 2; do
	[ "$n" = 1 ] && h=$H1 || h=$H2
	write_configs "$h" "$n"
	check "h$n: vipctl apply creates group web without its VIPs" \
		apply_new "$h" "$TMPD/h$n/vipfo.conf"
done

# h1 first, so that it is master from the start; then h2
keepalived_start 1
wait_for "h1: keepalived master, vipfo holds the VIPs" "$TRANSITION_MAX" \
	master_with_vips "$H1"
keepalived_start 2
wait_for "h2: keepalived backup" "$TRANSITION_MAX" \
	grep -q "VI_1 BACKUP" "$TMPD/h2/states"
check "h2: keepalived not master, no VIPs" backup_without_vips "$H2"

# ---------------------------------------------------------------- 1.

SRV=$H1
replies=$(ARP_WINDOW=1 arp_request "$VIP1")
check_replies "ARP for $VIP1: one reply from each adapter of h1, none from h2" \
	"$replies" a1 a2 a3
nas=$(solicit "$VIP6" | answers_only)
check_solicited "NS for $VIP6: one answer from each adapter of h1, none from h2" \
	"$nas" "$VIP6" a1 a2 a3

# ---------------------------------------------------------------- 2.

# The client talks to a2 of h1 (its entry set there, STALE: any update
# moves it), a TCP transfer runs, a2 loses carrier halfway.
XFER="$SELFTEST_DIR/tcp_xfer.py"
size=400000
bg ip netns exec "$H1" "$PYTHON" "$XFER" server --addr "$VIP1" --port 5001 \
	--ready "$TMPD/ready1" --timeout $((60 * F)) >"$TMPD/server1" 2>&1
srv1=$BG_PID
slowwait 30 test -e "$TMPD/ready1"
ip -n "$CLI" neigh replace "$VIP1" lladdr "$(mac_of "$H1" a2)" dev c0 nud stale
bg ip netns exec "$CLI" "$PYTHON" "$XFER" client --addr "$VIP1" --port 5001 \
	--size "$size" --chunk 8192 --delay 0.02 --pause-at $((size / 4)) \
	--resume-file "$TMPD/resume1" --timeout $((60 * F)) >"$TMPD/client1" 2>&1
cli1=$BG_PID
sleep 1		# (the client pauses after a quarter)
t_a2=$EPOCHREALTIME
ip -n "$SW" link set p12 down
touch "$TMPD/resume1"
if wait "$cli1" && wait "$srv1"; then
	ok "h1's a2 fails: a TCP transfer to $VIP1 survives"
else
	not_ok "h1's a2 fails: a TCP transfer to $VIP1 survives" \
		"client: $(cat "$TMPD/client1")" "server: $(cat "$TMPD/server1")"
fi
moved=$(client_neigh "$VIP1")
if [ "$moved" = "$(mac_of "$H1" a1)" ] || [ "$moved" = "$(mac_of "$H1" a3)" ]; then
	ok "the client moved to a1 or a3 of h1"
else
	not_ok "the client moved to a1 or a3 of h1" "its entry: ${moved:-none}"
fi
sleep 3		# more than a master-down interval (about 1.8 s)
if is_master "$H1" && holds_vips "$H1" && ! is_master "$H2" && holds_none "$H2" &&
   ! awk -v t="$t_a2" '$1 >= t' "$TMPD/h1/states" "$TMPD/h2/states" | grep -q .; then
	ok "vipfo alone handled it: no VRRP transition, the VIPs stay on h1"
else
	not_ok "vipfo alone handled it: no VRRP transition, the VIPs stay on h1" \
		"$(diag_hosts)"
fi
ip -n "$SW" link set p12 up
slowwait 10 links_up "$H1" a2

# ---------------------------------------------------------------- 3.

# claims_since T: the frames claiming VIP1 since T, "<time> <eth src>":
# every ARP frame whose sender IP is the VIP (gratuitous ARPs, replies,
# and a host's own requests for the client, which update the client's
# entry for their sender too)
claims_since()
{
	arp_frames "$CAPFILE" | awk -v t="$1" -v vip="$VIP1" \
		'$1 >= t && $5 == vip { print $1, $2 }'
}

# check_garps_from DESC T NS: every adapter of NS sent a gratuitous ARP
# for VIP1 and an unsolicited NA for VIP6 since T
check_garps_from()
{
	local desc=$1 t=$2 ns=$3 i m bad=""

	nd_sync
	for i in a1 a2 a3; do
		m=$(mac_of "$ns" "$i")
		arp_frames "$CAPFILE" | awk -v t="$t" -v vip="$VIP1" -v m="$m" \
			'$1 >= t && $2 == m && $3 == "who-has" && $4 == vip && $5 == vip' |
			grep -q . || bad="$bad no gratuitous ARP from $i ($m);"
		nd_nas "$ND_CAPTURE" | awk -v t="$t" -v vip="$VIP6" -v m="$m" \
			'$6 >= t && $3 == m && $1 == m && $2 == vip' |
			grep -q . || bad="$bad no unsolicited NA from $i ($m);"
	done
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$bad" "ARP since the failure:" \
			"$(arp_frames "$CAPFILE" | awk -v t="$t" '$1 >= t')" \
			"$(diag_hosts)"
	fi
}

t_kill=$EPOCHREALTIME
printf '%s\n' "link set p11 down" "link set p12 down" "link set p13 down" |
	ip -n "$SW" -b -
wait_for "h1 dies: h2 becomes master and holds the VIPs" "$TRANSITION_MAX" \
	master_with_vips "$H2"
sleep 1		# (vipfo's announcement rounds)
check_garps_from "h2's three adapters announce $VIP1 and $VIP6" "$t_kill" "$H2"
moved=$(client_neigh "$VIP1")
case " $(mac_of "$H2" a1) $(mac_of "$H2" a2) $(mac_of "$H2" a3) " in
*" $moved "*)	ok "the client's entry for $VIP1 is an adapter of h2" ;;
*)		not_ok "the client's entry for $VIP1 is an adapter of h2" \
			"its entry: ${moved:-none}" ;;
esac
# A new connection reaches h2
bg ip netns exec "$H2" "$PYTHON" "$XFER" server --addr "$VIP1" --port 5002 \
	--ready "$TMPD/ready2" --timeout $((30 * F)) >"$TMPD/server2" 2>&1
srv2=$BG_PID
slowwait 30 test -e "$TMPD/ready2"
if ip netns exec "$CLI" "$PYTHON" "$XFER" client --addr "$VIP1" --port 5002 \
	--size 100000 --delay 0 --timeout $((30 * F)) >"$TMPD/client2" 2>&1 &&
   wait "$srv2"; then
	ok "a new TCP connection to $VIP1 reaches h2"
else
	not_ok "a new TCP connection to $VIP1 reaches h2" \
		"client: $(cat "$TMPD/client2")" "server: $(cat "$TMPD/server2")"
fi

# ---------------------------------------------------------------- 4., 5.

# check_handover DESC T NEW OLD: since T, after the first frame from
# NEW's adapters claiming VIP1, none from OLD's later than OVERLAP_MAX_MS;
# and the client heard NEW (the requests every 50 ms make a host that
# still holds the VIP answer).
check_handover()
{
	local desc=$1 t=$2 new old i out

	new=$(for i in a1 a2 a3; do echo -n "$(mac_of "$3" "$i") "; done)
	old=$(for i in a1 a2 a3; do echo -n "$(mac_of "$4" "$i") "; done)
	if out=$(claims_since "$t" | awk -v new=" $new" -v old=" $old" \
		-v max="$OVERLAP_MAX_MS" '
		index(new, " " $2 " ") && !first { first = $1 }
		index(old, " " $2 " ") { last_old = $1; n_old++ }
		index(new, " " $2 " ") { n_new++ }
		END {
			printf "new master claims %d, old %d", n_new, n_old
			if (!first) { print "; none from the new master"; exit 1 }
			if (!n_old) { print "; none from the old master"; exit 0 }
			d = (last_old - first) * 1000
			printf "; old master last %.0f ms after the new one'\''s first", d
			exit !(d <= max)
		}'); then
		ok "$desc: $out"
		diag "VRRP transitions since (ms, host, notify arguments):" \
			"$(transitions_since "$t")"
	else
		not_ok "$desc" "$out (at most $OVERLAP_MAX_MS ms)" \
			"frames claiming $VIP1 since (time, eth src):" \
			"$(claims_since "$t" | awk -v t="$t" '{ printf "%.3f %s\n", $1 - t, $2 }')" \
			"h1: $(macs_of_ns "$H1")h2: $(macs_of_ns "$H2")" "$(diag_hosts)"
	fi
}

# transitions_since T: the notify lines of both hosts since T, in ms
transitions_since()
{
	local n

	for n in 1 2; do
		awk -v t="$1" -v h="h$n" '$1 >= t {
			printf "%7.0f %s %s %s\n", ($1 - t) * 1000, h, $4, $5 }' \
			"$TMPD/h$n/states"
	done | sort -n
}

macs_of_ns()
{
	local i

	for i in a1 a2 a3; do echo -n "$i=$(mac_of "$1" "$i") "; done
}

# asking SECONDS: the client asks for VIP1 every 50 ms meanwhile
asking()
{
	bg ip netns exec "$CLI" arping -q -i c0 -W 0.05 -c $(($1 * 20)) "$VIP1"
}

asking $((TRANSITION_MAX + 5))
asker=$BG_PID
t_back=$EPOCHREALTIME
printf '%s\n' "link set p11 up" "link set p12 up" "link set p13 up" |
	ip -n "$SW" -b -
wait_for "h1 back: it preempts, master with the VIPs, h2 backup without" \
	"$TRANSITION_MAX" switched "$H1" "$H2"
# Long enough after the switch for a host still holding the VIP to show
sleep $((OVERLAP_MAX_MS / 1000 + 2))
kill "$asker" 2>/dev/null
check_handover "preemption: h2 stops claiming $VIP1 once h1 does" "$t_back" "$H1" "$H2"

asking $((TRANSITION_MAX + 5))
asker=$BG_PID
t_stop=$EPOCHREALTIME
keepalived_stop 1
wait_for "keepalived of h1 stops: h2 master with the VIPs, h1 holds none" \
	"$TRANSITION_MAX" switched "$H2" "$H1"
sleep $((OVERLAP_MAX_MS / 1000 + 2))
kill "$asker" 2>/dev/null
check_handover "stop: h1 stops claiming $VIP1 once h2 does" "$t_stop" "$H2" "$H1"

keepalived_stop 2
finish
