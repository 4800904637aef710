#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Changing commands need CAP_NET_ADMIN in the user namespace owning the
# network namespace; the refusal carries the kernel's message saying so,
# and vipctl prints it. Reading is open. Checked as
# nobody without capabilities, as root of a new user namespace in a network
# namespace it does not own (denied), and as root of a user namespace in its
# own network namespace (allowed).

source "$(dirname "$0")/lib.sh"

require_all
require_cmd setpriv unshare
tap_header

if ! create_ns "$SRV" || ! ip -n "$SRV" link add a1 type veth peer name b1 ||
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

# Root of a user namespace that does not own this network namespace.
if unshare --user --map-root-user true 2>/dev/null; then
	as_userns_root() {
		ip netns exec "$SRV" unshare --user --map-root-user "$VIPCTL" "$@"
	}
	denied "user-ns root, foreign netns: group add" as_userns_root group add db
	denied "user-ns root, foreign netns: vip add" \
		as_userns_root vip add web "$VIP2" --no-local
	check "user-ns root, foreign netns: show works" as_userns_root show --json

	# ... and in a network namespace it owns: allowed.
	check "user-ns root, own netns: group add, show" \
		unshare --user --map-root-user --net bash -c "
		ip link add x1 type veth peer name y1 &&
		$VIPCTL group add own --dev x1 --vip $VIP2 &&
		$VIPCTL show --json | grep -q '\"own\"'"
	vipctl show --json >"$J1"
	check "own netns group not visible here" cmp "$J0" "$J1"
else
	skip "user namespaces" "unshare --user not permitted here"
fi

vipctl show --json >"$J1"
check "nothing changed" cmp "$J0" "$J1"

finish
