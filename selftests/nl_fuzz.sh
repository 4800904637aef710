#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing of the vipfo family (nl_fuzz/main.c says how): FUZZ_COUNT
# generated messages (default 100000) as root against a known
# configuration, then a tenth of that as nobody, where every change must
# be refused. No crash or splat, the socket keeps working, every rejection
# carries an extack message (the genetlink core's own messageless classes
# are listed, not failed), rejected requests change nothing and notify
# nothing.
#
# FUZZ_SEED=N replays a run (the seed is printed); in the VM pass both
# with VM_ENV="FUZZ_COUNT FUZZ_SEED". One message of a run, with its bytes:
#   nl_fuzz --seed N --first I --count 1 --verbose  (in the test's netns)

source "$(dirname "$0")/lib.sh"

# Built into OUTPUT in the source tree, installed beside this script.
if [ -n "$REPO_DIR" ]; then
	FUZZ=${OUTPUT:-$REPO_DIR/build/selftests}/nl_fuzz
else
	FUZZ=$SELFTEST_DIR/nl_fuzz
fi
COUNT=${FUZZ_COUNT:-100000}
SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

require_root
require_cmd ip setpriv
require_vipfo
[ -x "$FUZZ" ] || skip_all "nl_fuzz not built (make -C selftests)"
tap_header

# d0..d15 and e0..e15: veth pairs, all in the one namespace. The huge
# group (20,000 VIPs, for huge and interrupted dumps) lives in another one,
# so that the fuzzed namespace is quick to check after every batch.
HUGE=huge-$SUFFIX
if ! setup_ns SRV || ! setup_ns HUGE ||
   ! for i in $(seq 0 15); do
	echo "link add d$i type veth peer name e$i"
	echo "link set d$i up"
	echo "link set e$i up"
   done | ip -n "$SRV" -b -; then
	not_ok "namespace set up"
	finish
fi

# fuzz DESC ARGS...: run nl_fuzz in the namespace, its report as diagnostics
fuzz()
{
	local desc=$1 rc

	shift
	"$@" >"$TMPD/fuzz.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
		diag "$(sed 's/^# //' "$TMPD/fuzz.log")"
	elif [ "$rc" = 4 ] && [ -z "${VIPFO_IN_VM:-}" ]; then
		skip "$desc" "$(grep -m1 SKIP "$TMPD/fuzz.log")"
	else
		not_ok "$desc (exit $rc)" "$(sed 's/^# //' "$TMPD/fuzz.log")"
	fi
}

fuzz "netlink fuzz as root: $COUNT messages, seed $SEED" \
	ip netns exec "$SRV" "$FUZZ" --seed "$SEED" --count "$COUNT" \
	--huge-netns "/run/netns/$HUGE"

# The configuration the root run left, fuzzed by someone who may not change
# it (vipfo's pre_doit says EPERM, with a message, to a change the core
# found well-formed; a malformed one gets its policy error first).
fuzz "netlink fuzz as nobody: $((COUNT / 10)) messages, seed $SEED" \
	ip netns exec "$SRV" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all --bounding-set=-all \
	"$FUZZ" --unpriv --seed "$SEED" --first "$COUNT" --count "$((COUNT / 10))"

finish
