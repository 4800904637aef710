#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Root of any user namespace configures its own network namespace, so
# what one namespace can cost the host must be bounded:
# - memory: a request's allocations are charged to the caller's memory
#   cgroup: VIPs added from a cgroup raise its memory.current by at least
#   what they take, and deleting them gives it back.

source "$(dirname "$0")/lib.sh"

require_all
tap_header

if ! create_ns "$SRV"; then
	not_ok "namespace set up"
	finish
fi

# ------------------------------------------------------------ accounting

CGROOT=/sys/fs/cgroup
CG=$CGROOT/vipfo-$SUFFIX
N_ACCT=20000
VIP_SIZE=72	# sizeof(struct vipfo_vip): the least a VIP costs

limits_cleanup()
{
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
		if wait_for 20 slab_below $((slab0 + cost / 4)); then
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
finish
