#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No event after the generic netlink family is gone: its multicast group
# id is free then, and another family may get it. Members flap, their
# veth peers toggled in tight loops (one shell per peer), with a monitor
# listening: the notifier and the carrier poll report failovers and
# recoveries while rmmod runs, $VIPFO_UNLOAD_ROUNDS times (load,
# configure, unload; default 5). Boot-time kprobes (scripts/vm-run's
# kprobe_event=) record every netlink_broadcast() with its group and every
# genl_unregister_family() with the family's name: after vipfo's, no
# broadcast may go to vipfo's group. Events must have gone to it in the
# same round before, or the check could not fail.

source "$(dirname "$0")/lib.sh"

TRACE=/sys/kernel/tracing
ROUNDS=${VIPFO_UNLOAD_ROUNDS:-5}
STOP=$TMPD/stop

require_all
require_cmd genl rmmod
require_reloadable
tap_header

if ! grep -q '^p:vipfo_test/broadcast ' "$TRACE/kprobe_events" ||
   ! grep -q '^p:vipfo_test/genl_unregister ' "$TRACE/kprobe_events"; then
	# scripts/vm-run arms them at boot: missing there, they are a failure.
	if [ -n "${VIPFO_IN_VM:-}" ]; then
		not_ok "kprobes on netlink_broadcast and genl_unregister_family" \
			"scripts/vm-run arms them at boot: $(cat "$TRACE/kprobe_events")"
		finish
	fi
	skip_all "needs the boot-time kprobes of scripts/vm-run"
fi

# events_group: the id of vipfo's multicast group "events", in decimal
events_group()
{
	local id

	id=$(genl ctrl get name vipfo |
		sed -n 's/.*ID-\(0x[0-9a-f]*\) *name: events.*/\1/p')
	[ -n "$id" ] && echo $((id))
}

# unload_trace ROUND: "BEFORE AFTER GAP" from the trace since ROUND's
# marker: broadcasts to vipfo's group before and after its family was
# unregistered, and the ms from the last one before to the unregistration
unload_trace()
{
	awk -v mark="vipfo-unload round $1 group " '
	match($0, / [0-9]+\.[0-9]+: [a-z_]+: /) {
		split(substr($0, RSTART + 1, RLENGTH - 3), f, ": ")
		rest = substr($0, RSTART + RLENGTH)
		if (f[2] == "tracing_mark_write" && index(rest, mark) == 1) {
			group = substr(rest, length(mark) + 1) + 0
			found = 1; unreg = last = ""; before = after = 0
		} else if (!found) {
			next
		} else if (f[2] == "genl_unregister" && rest ~ /name="vipfo"/) {
			unreg = f[1]
		} else if (f[2] == "broadcast" && match(rest, /group=[0-9]+/) &&
			   substr(rest, RSTART + 6, RLENGTH - 6) + 0 == group) {
			if (unreg == "") {
				before++; last = f[1]
			} else {
				after++
			}
		}
	}
	END {
		if (!found || unreg == "")
			exit 1
		printf "%d %d %.1f\n", before, after,
			last == "" ? -1 : (unreg - last) * 1000
	}' "$TRACE/trace"
}

# lines FILE: its number of lines
lines()
{
	wc -l <"$1"
}

# at_least N CMD...: CMD prints a number of at least N (for slowwait)
at_least()
{
	local n=$1 v

	shift
	v=$("$@") && [ -n "$v" ] && [ "$v" -ge "$n" ]
}

# Members x1 x2 x3, peers y1 y2 y3; y1 and y2 flap, x3 survives.
setup_ns SRV
for i in 1 2 3; do
	echo "link add x$i type veth peer name y$i"
	echo "link set x$i up"
	echo "link set y$i up"
done | ip -n "$SRV" -b -
for i in 1 2; do
	for ((n = 0; n < 200; n++)); do
		echo "link set y$i down"
		echo "link set y$i up"
	done >"$TMPD/flaps$i"
done
check "monitor listening" monitor_start "$SRV" "$TMPD/events"
for i in 1 2; do
	bg bash -c "while [ ! -e $STOP ]; do ip -n $SRV -b $TMPD/flaps$i; done"
done

bad="" gaps=""
for ((r = 1; r <= ROUNDS; r++)); do
	if ! modprobe vipfo; then
		bad+="round $r: modprobe failed; "
		break
	fi
	if ! out=$(vipctl group add flap --dev x1,x2,x3 --no-local \
		--vip 198.51.100.1,198.51.100.2 2>&1); then
		bad+="round $r: group add: $out; "
		break
	fi
	if ! group=$(events_group); then
		bad+="round $r: no multicast group in genl ctrl; "
		break
	fi
	# Only this round in the buffer (the marker tells it apart anyway).
	: >"$TRACE/trace"
	echo "vipfo-unload round $r group $group" >"$TRACE/trace_marker"
	# Failovers and recoveries are being reported.
	if ! slowwait 20 at_least $(($(lines "$TMPD/events") + 10)) \
		lines "$TMPD/events"; then
		bad+="round $r: the monitor hears no events; "
		break
	fi
	if ! out=$(timeout "$(hang_limit 120)" rmmod vipfo 2>&1); then
		bad+="round $r: rmmod: $out; "
		break
	fi
	if ! res=$(unload_trace "$r"); then
		bad+="round $r: vipfo's unregistration is not in the trace; "
		continue
	fi
	read -r before after gap <<<"$res"
	diag "round $r: $before events, then vipfo's family went, then $after (at $SECONDS s)"
	gaps+="$gap "
	[ "$after" = 0 ] || bad+="round $r: $after events after the family went; "
	[ "$before" -gt 0 ] || bad+="round $r: no event to vipfo's group $group at all; "
done
touch "$STOP"
if [ -z "$bad" ]; then
	ok "$ROUNDS unloads while members flap: no event after the family went"
else
	not_ok "$ROUNDS unloads while members flap: no event after the family went" \
		"$bad"
fi
diag "ms from the last event to the unregistration, by round: $gaps"

finish
