#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Root of any user namespace configures its own network namespace, so
# what one namespace can cost the host must be bounded:
# - memory: a request's allocations are charged to the caller's memory
#   cgroup: VIPs added from a cgroup raise its memory.current by at least
#   what they take, and deleting them gives it back;
# - groups and VIPs per namespace are capped by module parameters that
#   only the host's root can change: root of a user namespace (mapped to
#   nobody on the host, as in an unprivileged container) exceeding one
#   is refused with a message naming it, its value and the parameter,
#   and nothing of the request is applied;
# - the carrier poll: one timer per namespace however many groups poll,
#   no faster than carrier_poll_min in namespaces of other user
#   namespaces: 32 groups polling at that floor cost the host's timer
#   softirqs no more than a few times what one timer does.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

if ! setup_ns SRV; then
	not_ok "namespace set up"
	finish
fi

# ------------------------------------------------------------ accounting

CGROOT=/sys/fs/cgroup
CG=$CGROOT/vipfo-$SUFFIX
N_ACCT=20000
VIP_SIZE=64	# sizeof(struct vipfo_vip): the least a VIP costs

PARAMS=/sys/module/vipfo/parameters
declare -A SAVED
for f in "$PARAMS"/*; do
	[ -f "$f" ] && SAVED[$f]=$(cat "$f")
done

# The module's parameters as they were before the test.
restore_params()
{
	local f

	for f in "${!SAVED[@]}"; do
		echo "${SAVED[$f]}" >"$f"
	done
}

limits_cleanup()
{
	restore_params
	[ -d "$CG" ] && rmdir "$CG"
	cleanup
}
trap limits_cleanup EXIT

# memcg_stat KEY: a field of the test cgroup's memory.stat, in bytes
memcg_stat()
{
	awk -v k="$1" '$1 == k { print $2 }' "$CG/memory.stat"
}

# in_cgroup CMD...: run CMD in the server's namespace, in the test cgroup
# (joined first: ip netns exec mounts a /sys without the cgroup tree)
in_cgroup()
{
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$CG" \
		ip netns exec "$SRV" "$@"
}

acct_vips()
{
	local i

	for ((i = 0; i < N_ACCT; i++)); do
		echo "10.77.$((i / 250)).$((i % 250 + 1))"
	done
}

# slab_below BYTES: the test cgroup's slab charge fell below BYTES
slab_below()
{
	[ "$(memcg_stat slab)" -lt "$1" ]
}

if ! grep -qw memory "$CGROOT/cgroup.controllers" 2>/dev/null; then
	skip "memory accounting" "no cgroup v2 memory controller at $CGROOT"
elif ! { grep -qw memory "$CGROOT/cgroup.subtree_control" ||
	 echo +memory >"$CGROOT/cgroup.subtree_control"; } ||
     ! mkdir "$CG"; then
	not_ok "memory cgroup $CG created"
else
	check "group acct (added outside the cgroup)" vipctl group add acct
	cost=$((N_ACCT * VIP_SIZE))
	cur0=$(cat "$CG/memory.current")
	slab0=$(memcg_stat slab)
	if in_cgroup "$VIPCTL" vip add acct $(acct_vips) --no-local \
		>"$TMPD/acct.out" 2>&1; then
		cur=$(($(cat "$CG/memory.current") - cur0))
		slab=$(($(memcg_stat slab) - slab0))
		what="memory.current +$cur, slab +$slab, percpu $(memcg_stat percpu) bytes; the VIPs take at least $cost"
		if [ "$cur" -ge "$cost" ] && [ "$slab" -ge "$cost" ]; then
			ok "$N_ACCT VIPs added from a memory cgroup are charged to it ($what)"
		else
			not_ok "$N_ACCT VIPs added from a memory cgroup are charged to it" "$what"
		fi
		vipctl group del acct
		if slowwait 20 slab_below $((slab0 + cost / 4)); then
			ok "deleting them gives the charge back"
		else
			not_ok "deleting them gives the charge back" \
				"slab $(memcg_stat slab) bytes, $slab0 before"
		fi
	else
		not_ok "$N_ACCT VIPs added from a memory cgroup" "$(cat "$TMPD/acct.out")"
	fi
fi

rmdir "$CG" 2>/dev/null

# ------------------------------------------------------------ caps

# Root of a user namespace and of a network namespace of its own, mapped
# to nobody on the host: a process holds the namespaces, and uns CMD...
# runs CMD in them as their root.
bg setpriv --reuid=nobody --regid=nogroup --clear-groups \
	unshare --user --map-root-user --net sleep 100000
USERNS_PID=$BG_PID
userns_ready()
{
	[ "$(readlink "/proc/$USERNS_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}
uns() { nsenter -t "$USERNS_PID" -U -n -- "$@"; }
if ! slowwait 20 userns_ready; then
	not_ok "user namespace of nobody with a network namespace"
	finish
fi

# vips PREFIX N: N addresses PREFIX.x.y
vips()
{
	local i

	for ((i = 0; i < $2; i++)); do
		echo "$1.$((i / 250)).$((i % 250 + 1))"
	done
}

# refused DESC MSG CMD...: CMD fails with exit 1 and one line holding the
# kernel's message MSG, and the namespace's configuration is unchanged
refused()
{
	local desc=$1 msg=$2 out rc lines

	shift 2
	uns "$VIPCTL" show --json >"$TMPD/before.json"
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	uns "$VIPCTL" show --json >"$TMPD/after.json"
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -qF -- "$msg" <<<"$out" &&
	   cmp -s "$TMPD/before.json" "$TMPD/after.json"; then
		ok "$desc: refused ($out)"
	else
		not_ok "$desc: refused with exit 1, one line and nothing applied" \
			"exit $rc, stderr:" "$out" \
			"before: $(head -c 500 "$TMPD/before.json")" \
			"after: $(head -c 500 "$TMPD/after.json")"
	fi
}

# The caps, low enough to reach.
echo 3 >"$PARAMS/max_groups" && echo 100 >"$PARAMS/max_vips" ||
	not_ok "caps set by the host's root"
check "the caps are root's: mode 0644" \
	test "$(stat -c %a "$PARAMS/max_groups") $(stat -c %a "$PARAMS/max_vips")" = "644 644"
if uns sh -c "echo 1000 >$PARAMS/max_groups" 2>/dev/null; then
	not_ok "user-ns root cannot raise max_groups"
else
	ok "user-ns root cannot raise max_groups"
fi
check "max_groups still 3" test "$(cat "$PARAMS/max_groups")" = 3

check "user-ns root: 3 groups" uns bash -c \
	"$VIPCTL group add g1 && $VIPCTL group add g2 && $VIPCTL group add g3"
MSG_GROUPS="too many groups in this network namespace: max_groups is 3 (vipfo module parameter)"
MSG_VIPS="too many VIPs in this network namespace: max_vips is 100 (vipfo module parameter)"
refused "a 4th group" "$MSG_GROUPS" uns "$VIPCTL" group add g4
refused "101 VIPs at once" "$MSG_VIPS" \
	uns "$VIPCTL" vip add g1 $(vips 10.1 101) --no-local
check "60 VIPs in g1" uns "$VIPCTL" vip add g1 $(vips 10.1 60) --no-local
refused "41 more in g2" "$MSG_VIPS" \
	uns "$VIPCTL" vip add g2 $(vips 10.2 41) --no-local
check "group del g3" uns "$VIPCTL" group del g3
list=$(vips 10.3 41)
refused "a new group with 41 VIPs" "$MSG_VIPS" \
	uns "$VIPCTL" group add g3 --vip "${list//$'\n'/,}" --no-local
check "40 more in g2: the cap exactly" \
	uns "$VIPCTL" vip add g2 $(vips 10.2 40) --no-local
uns "$VIPCTL" show --json >"$TMPD/caps.json"
check "g1 with 60 VIPs, g2 with 40, no g3" json_check "$TMPD/caps.json" \
	"sorted((x['name'], x['vip_count']) for x in j['groups']) == [('g1', 60), ('g2', 40)]"
check "the host's root raises max_groups: the 3rd group again" \
	bash -c "echo 4 >$PARAMS/max_groups && nsenter -t $USERNS_PID -U -n -- $VIPCTL group add g3"
check "user-ns root: delete every group" uns bash -c \
	"$VIPCTL group del g1 && $VIPCTL group del g2 && $VIPCTL group del g3"
restore_params

# ------------------------------------------------------------ poll floor

# poll_ms NS-CMD GROUP: the carrier_poll_ms vipctl shows for GROUP
poll_ms()
{
	"$1" "$VIPCTL" show "$2" --json >"$TMPD/poll.json" &&
		json_value "$TMPD/poll.json" "j['groups'][0]['carrier_poll_ms']"
}

echo 10 >"$PARAMS/carrier_poll_min" || not_ok "carrier_poll_min set to 10"
MSG_FLOOR="carrier poll too short for a namespace not owned by the initial user namespace: carrier_poll_min is 10 ms (vipfo module parameter)"
check "user-ns root: group f1" uns "$VIPCTL" group add f1
check "a new group polls every 10 ms there (5 ms below the floor)" \
	test "$(poll_ms uns f1)" = 10
refused "carrier poll 9 ms" "$MSG_FLOOR" \
	uns "$VIPCTL" group set f1 --carrier-poll 9 --garp-count 7
refused "a new group with carrier poll 5 ms" "$MSG_FLOOR" \
	uns "$VIPCTL" group add f2 --carrier-poll 5
check "carrier poll 0 (off) and 10 ms are allowed" uns bash -c \
	"$VIPCTL group set f1 --carrier-poll 0 && $VIPCTL group set f1 --carrier-poll 10"
check "the initial user namespace's namespaces have no floor: 1 ms" \
	vipctl group add f1 --carrier-poll 1
vipctl group add f2
check "and default to 5 ms" test "$(poll_ms srv f2)" = 5
if echo 1001 >"$PARAMS/carrier_poll_min" 2>/dev/null; then
	not_ok "carrier_poll_min above 1000 refused"
else
	ok "carrier_poll_min above 1000 refused"
fi
echo 20 >"$PARAMS/carrier_poll_min"
uns "$VIPCTL" group add f2
check "carrier_poll_min 20: a new group polls every 20 ms" \
	test "$(poll_ms uns f2)" = 20
check "user-ns root: delete f1 and f2" uns bash -c \
	"$VIPCTL group del f1 && $VIPCTL group del f2"
vipctl group del f1 >/dev/null 2>&1
vipctl group del f2 >/dev/null 2>&1
restore_params

# ------------------------------------------------------------ timer load

# The host's timer softirqs a second, over SECONDS: rate SECONDS
hrtimer_softirqs()
{
	awk '$1 == "HRTIMER:" { for (i = 2; i <= NF; i++) n += $i }
	     END { print n }' /proc/softirqs
}

softirq_rate()
{
	local n0 t0 n1 t1

	n0=$(hrtimer_softirqs)
	t0=$(now_ms)
	sleep "$1"	# the measurement itself: nothing to poll for
	n1=$(hrtimer_softirqs)
	t1=$(now_ms)
	echo $(((n1 - n0) * 1000 / (t1 - t0)))
}

N_POLL=32
POLL_MS=$(cat "$PARAMS/carrier_poll_min" 2>/dev/null || echo 10)
base=$(softirq_rate 3)
if uns bash -c "
	for i in \$(seq $N_POLL); do
		echo \"link add p\$i type dummy\"; echo \"link set p\$i up arp on\"
	done | ip -b - &&
	for i in \$(seq $N_POLL); do
		$VIPCTL group add p\$i --dev p\$i --carrier-poll $POLL_MS || exit 1
	done" >"$TMPD/load.out" 2>&1; then
	rate=$(softirq_rate 3)
	# One timer every POLL_MS ms; four times that is still far from
	# what N_POLL timers cost.
	bound=$((base + 4 * 1000 / POLL_MS))
	if [ "$rate" -le "$bound" ]; then
		ok "$N_POLL groups polling every $POLL_MS ms: $rate timer softirqs/s (idle: $base, bound: $bound)"
	else
		not_ok "$N_POLL groups polling every $POLL_MS ms: timer softirqs/s at most $bound" \
			"$rate/s with them, $base/s before"
	fi
else
	not_ok "user-ns root: $N_POLL groups of a dummy each" "$(cat "$TMPD/load.out")"
fi

finish
