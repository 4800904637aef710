#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Changing commands need CAP_NET_ADMIN in the user namespace owning the
# network namespace; the refusal carries the kernel's message saying so,
# and vipctl prints it. Reading (show, monitor) is open. Checked as nobody
# without capabilities, as root of a new user namespace in a network
# namespace it does not own (denied), and as root of a user namespace in
# its own network namespace (allowed there only). And namespaces are
# separate: a group, its devices and its events are invisible from another
# network namespace, which may reuse the names and VIPs.

source "$(dirname "$0")/lib.sh"

require_all
require_cmd setpriv unshare
tap_header

if ! setup_ns SRV || ! ip -n "$SRV" link add a1 type veth peer name b1 ||
   ! ip -n "$SRV" link add a2 type veth peer name b2; then
	not_ok "namespace set up"
	finish
fi
check "root: group add web" vipctl group add web --dev a1 --vip "$VIP1"

J0="$TMPD/before.json"
J1="$TMPD/after.json"
vipctl show --json >"$J0"

NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=-all --bounding-set=-all)

# The kernel's extended ack for a refused change, as vipctl prints it.
KERNEL_MSG="operation not permitted: needs CAP_NET_ADMIN in the user namespace owning the network namespace"

# denied DESC CMD...: CMD fails with exit 1 and one line on stderr saying
# the operation is not permitted, with the kernel's reason
denied()
{
	local desc=$1 out rc lines

	shift
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$rc" = 1 ] && [ "$lines" = 1 ] &&
	   grep -qF ": $KERNEL_MSG" <<<"$out"; then
		ok "$desc: denied ($out)"
	else
		not_ok "$desc: denied with exit 1 and one line" \
			"exit $rc, stderr:" "$out"
	fi
}

as_nobody() { ip netns exec "$SRV" "${NOBODY[@]}" "$VIPCTL" "$@"; }

denied "nobody: group add" as_nobody group add db
denied "nobody: group del" as_nobody group del web
denied "nobody: group set" as_nobody group set web --garp-count 5
denied "nobody: group set --reply-rate" as_nobody group set web --reply-rate 0
denied "nobody: dev add" as_nobody dev add web a2
denied "nobody: dev del" as_nobody dev del web a1
denied "nobody: vip add" as_nobody vip add web "$VIP2" --no-local
denied "nobody: vip del" as_nobody vip del web "$VIP1" --no-local

if as_nobody show --json >"$J1" 2>"$TMPD/err"; then
	ok "nobody: show --json works"
else
	not_ok "nobody: show --json works" "$(cat "$TMPD/err")"
fi
check "nobody: sees the group unchanged" cmp "$J0" "$J1"
check "nobody: show works" as_nobody show
check "nobody: show --stats works" as_nobody show --stats
check "nobody: show web works" as_nobody show web --json

# monitor_sees FILE GROUP: the JSON monitor writing FILE reported a change
# of GROUP (made by root meanwhile)
monitor_sees()
{
	vipctl group add "$2" >/dev/null 2>&1
	vipctl group del "$2" >/dev/null 2>&1
	find_event "$1" "$TMPD/event.json" "e.get('group') == '$2'"
}
M="$TMPD/nobody-monitor.json"
bg ip netns exec "$SRV" "${NOBODY[@]}" "$VIPCTL" monitor --json >"$M" 2>"$M.err"
if slowwait 30 monitor_sees "$M" probe; then
	ok "nobody: monitor --json reports root's changes"
else
	not_ok "nobody: monitor --json reports root's changes" \
		"output: $(head -c 1000 "$M")" "stderr: $(cat "$M.err")"
fi

# Root of a user namespace that does not own this network namespace.
if unshare --user --map-root-user true 2>/dev/null; then
	as_userns_root() {
		ip netns exec "$SRV" unshare --user --map-root-user "$VIPCTL" "$@"
	}
	denied "user-ns root, foreign netns: group add" as_userns_root group add db
	denied "user-ns root, foreign netns: group del" as_userns_root group del web
	denied "user-ns root, foreign netns: group set" \
		as_userns_root group set web --garp-count 5
	denied "user-ns root, foreign netns: dev add" as_userns_root dev add web a2
	denied "user-ns root, foreign netns: dev del" as_userns_root dev del web a1
	denied "user-ns root, foreign netns: vip add" \
		as_userns_root vip add web "$VIP2" --no-local
	denied "user-ns root, foreign netns: vip del" \
		as_userns_root vip del web "$VIP1" --no-local
	check "user-ns root, foreign netns: show works" as_userns_root show --json

	# ... and in a network namespace it owns: allowed.
	check "user-ns root, own netns: group add; show lists it alone" \
		unshare --user --map-root-user --net bash -c "
		ip link add x1 type veth peer name y1 &&
		$VIPCTL group add own --dev x1 --vip $VIP2 &&
		$VIPCTL show --json >$TMPD/own.json"
	check "user-ns root, own netns: only its group" \
		json_check "$TMPD/own.json" \
		"[x['name'] for x in j['groups']] == ['own']" \
		"[x['ifname'] for x in g['devices']] == ['x1']"
	vipctl show --json >"$J1"
	check "own netns group not visible here" cmp "$J0" "$J1"
else
	skip "user namespaces" "unshare --user not permitted here"
fi

# Another network namespace: nothing of web, the same names free again.
OTHER=other-$SUFFIX
if setup_ns OTHER && ip -n "$OTHER" link add a1 type veth peer name b1; then
	other() { ip netns exec "$OTHER" "$VIPCTL" "$@"; }

	check "other netns: show lists no group" no_groups "$OTHER"
	if other show web >/dev/null 2>&1; then
		not_ok "other netns: show web fails"
	else
		ok "other netns: show web fails"
	fi
	# a2 is a device of the server's namespace only
	if other group add o --dev a2 >/dev/null 2>&1; then
		not_ok "other netns: group add with the server's device a2 fails"
	else
		ok "other netns: group add with the server's device a2 fails"
	fi
	check "other netns: nothing created by it" no_groups "$OTHER"

	# Events stay in their namespace: a monitor here, a change of the
	# server, then a change here as a marker; the first must not show.
	M2="$TMPD/other-monitor.json"
	bg ip netns exec "$OTHER" "$VIPCTL" monitor --json >"$M2" 2>"$M2.err"
	# other_marker NAME: a change of group NAME here reached the monitor
	other_marker()
	{
		other group add "$1" >/dev/null 2>&1
		other group del "$1" >/dev/null 2>&1
		find_event "$M2" "$TMPD/event.json" "e.get('group') == '$1'"
	}
	if slowwait 30 other_marker mark1; then
		vipctl group add leak >/dev/null && vipctl group del leak >/dev/null
		slowwait 30 other_marker mark2
		if find_event "$M2" "$TMPD/event.json" "e.get('group') == 'leak'"; then
			not_ok "other netns: monitor does not see the server's events" \
				"$(cat "$M2")"
		else
			ok "other netns: monitor does not see the server's events"
		fi
	else
		not_ok "other netns: monitor reports its own events" \
			"output: $(head -c 1000 "$M2")" "stderr: $(cat "$M2.err")"
	fi

	# The same group name, device name and VIP as the server's web.
	check "other netns: group web with a1 and $VIP1 of its own" \
		other group add web --dev a1 --vip "$VIP1" --no-local
	other show --json >"$TMPD/other.json" 2>&1
	check "other netns: its web has its own a1" json_check "$TMPD/other.json" \
		"[x['mac'] for x in g['devices']] == ['$(mac "$OTHER" a1)']"
else
	not_ok "other network namespace set up"
fi

vipctl show --json >"$J1"
check "nothing changed" cmp "$J0" "$J1"

finish
