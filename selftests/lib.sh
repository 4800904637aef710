#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the vipfo selftests: TAP output, requirements, cleanup,
# the client's ARP tool, vipctl/JSON helpers and the kernel log check, on
# top of topology.sh (namespaces, polling, the test network and the host
# recipe, shared with the benchmarks). A test sources this file, calls
# setup_* and its checks, and ends with `finish`.
#
# Namespace names are unique per run: srv-XXXXXX, sw-XXXXXX, cli-XXXXXX.

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The source tree, when the tests run from it; empty when they run from an
# installed collection (make -C selftests install), where vipctl comes from
# the PATH and the module from modprobe. VIPCTL=FILE overrides either.
REPO_DIR=
if [ -f "$SELFTEST_DIR/../kmod/Kbuild" ]; then
	REPO_DIR=$(cd "$SELFTEST_DIR/.." && pwd)
fi
if [ -z "${VIPCTL:-}" ]; then
	if [ -n "$REPO_DIR" ] && [ -x "$REPO_DIR/build/tools/vipctl" ]; then
		VIPCTL=$REPO_DIR/build/tools/vipctl
	else
		VIPCTL=$(command -v vipctl)
	fi
fi
PYTHON=/usr/bin/python3		# Debian's python3-scapy is for this one
TEST_NAME=$(basename "$0" .sh)
source "$SELFTEST_DIR/topology.sh"

readonly ksft_pass=0 ksft_fail=1 ksft_skip=4

SUFFIX=$(mktemp -u XXXXXX)
SRV=srv-$SUFFIX
SW=sw-$SUFFIX
CLI=cli-$SUFFIX
CLI2=cl2-$SUFFIX	# a second host on the switch, after setup_client2
TMPD=$(mktemp -d "/tmp/vipfo-$TEST_NAME.XXXXXX")
BG_PIDS=()

VIP1=192.0.2.100
VIP2=192.0.2.101
VIP3=192.0.2.102
BCAST=ff:ff:ff:ff:ff:ff

# ---------------------------------------------------------------- TAP

tap_n=0
tap_failed=0
tap_skipped=0
KMSG_MARK="vipfo-selftest: start $TEST_NAME $$ $SUFFIX"

diag()
{
	local line

	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

ok()
{
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

# not_ok DESC [DIAGNOSTIC...]
not_ok()
{
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	diag "$@"
}

skip()
{
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# check DESC CMD... : ok when CMD succeeds; its output becomes diagnostics
# when it fails.
check()
{
	local desc=$1 out

	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "$out"
	fi
}

# Skip the whole test (before any result was printed).
skip_all()
{
	echo "1..0 # SKIP $TEST_NAME: $*"
	exit $ksft_skip
}

# Fail the whole test (before any result was printed): what a skip would
# hide where the environment promised it (the test VM).
fail_all()
{
	echo "TAP version 13"
	echo "not ok 1 - $TEST_NAME: $*"
	echo "1..1"
	exit $ksft_fail
}

tap_header()
{
	echo "TAP version 13"
	echo "# $TEST_NAME"
	echo "$KMSG_MARK" > /dev/kmsg 2>/dev/null || true
	leftovers_reap
	leftovers_mark
}

# Tear the topology down, check the kernel log, print the plan and exit
# with kselftest's code.
finish()
{
	cleanup
	check_kernel_log
	echo "1..$tap_n"
	trap - EXIT
	[ "$tap_failed" -gt 0 ] && exit $ksft_fail
	[ "$tap_n" -gt 0 ] && [ "$tap_skipped" -eq "$tap_n" ] && exit $ksft_skip
	exit $ksft_pass
}

# ---------------------------------------------------------------- kernel log

# Anything like this in the kernel log since the test started fails it.
KLOG_BAD='WARNING:|BUG:|BUG |Oops|general protection|Call Trace|refcount|unregister_netdevice: waiting|KASAN|UBSAN|list_(add|del) corruption|RCU stall|self-detected stall|detected stalls|blocked for more than|possible circular locking|suspicious RCU usage|sleeping function called|scheduling while atomic|kernel tried to execute|unable to handle|double free|use-after-free|leak'

kernel_log_since_mark()
{
	dmesg 2>/dev/null | awk -v m="$KMSG_MARK" 'index($0, m) { p = 1; next } p'
}

check_kernel_log()
{
	local bad

	if ! dmesg >/dev/null 2>&1; then
		skip "kernel log clean" "dmesg not readable"
		return
	fi
	bad=$(kernel_log_since_mark | grep -E "$KLOG_BAD")
	if [ -z "$bad" ]; then
		ok "kernel log clean"
	else
		not_ok "kernel log clean" "$(kernel_log_since_mark | tail -n 60)"
	fi
}

# ---------------------------------------------------------------- leftovers

# A CI runs the collection again and again on one box. A test interrupted
# runs cleanup (the EXIT trap: the runner's timeout sends SIGTERM), but
# one killed outright leaves its namespaces behind, with their groups,
# VIPs and the processes still in them. So every test that gets as far as
# tap_header records itself in $LEFTOVER_DIR/$SUFFIX ("PID SCRIPT TMPD";
# its namespaces all end in -$SUFFIX), cleanup removes the record, and the
# next test removes what a record of a dead test names. (/run goes at
# reboot, as the namespaces do.)
LEFTOVER_DIR=/run/vipfo-selftests

leftovers_mark()
{
	[ "$(id -u)" = 0 ] || return 0
	mkdir -p "$LEFTOVER_DIR" &&
		echo "$$ $0 $TMPD" >"$LEFTOVER_DIR/$SUFFIX"
}

# ns_kill NS: end every process still in namespace NS (it would keep the
# namespace, and the groups in it, alive after ip netns del)
ns_kill()
{
	local pids

	pids=$(ip netns pids "$1" 2>/dev/null | grep -vx "$$")
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of PIDs
	kill $pids 2>/dev/null
	slowwait 5 bash -c "[ -z \"\$(ip netns pids $1 2>/dev/null)\" ]" ||
		kill -9 $pids 2>/dev/null
}

leftovers_reap()
{
	local f pid script tmpd suffix ns gone left

	[ "$(id -u)" = 0 ] || return 0
	for f in "$LEFTOVER_DIR"/*; do
		[ -f "$f" ] || continue
		suffix=${f##*/}
		[ "$suffix" = "$SUFFIX" ] && continue
		read -r pid script tmpd <"$f"
		# Still running (the PID runs that script): not a leftover.
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null |
			grep -qF -- "$script" && continue
		gone=() left=()
		for ns in $(ip netns list | cut -d' ' -f1); do
			[[ $ns == *-"$suffix" || $ns == *-"$suffix"-* ]] || continue
			ns_kill "$ns"
			if ip netns del "$ns" 2>/dev/null; then
				gone+=("$ns")
			else
				left+=("$ns")
			fi
		done
		case $tmpd in /tmp/vipfo-*) rm -rf "$tmpd" ;; esac
		if [ ${#left[@]} -gt 0 ]; then
			not_ok "leftovers of an earlier $script (pid $pid) removed" \
				"cannot delete the namespaces ${left[*]}"
			continue
		fi
		rm -f "$f"
		diag "removed the leftovers of an earlier $script (pid $pid, killed before its cleanup): namespaces ${gone[*]:-(none)}"
	done
}

# ---------------------------------------------------------------- polling

# hang_limit SECONDS: how long a step may take before it counts as hung,
# on this kernel: check-debug's slower kernel sets VIPFO_TIMEOUT_FACTOR.
# (Under its checkers, with the VM loaded, an RCU grace period takes up to
# a second, and deleting a device or unloading the module waits for dozens
# of them.)
hang_limit()
{
	echo $(($1 * ${VIPFO_TIMEOUT_FACTOR:-1}))
}

# ---------------------------------------------------------------- setup

require_root()
{
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

require_scapy()
{
	"$PYTHON" -c 'import scapy.layers.l2' 2>/dev/null ||
		skip_all "python3-scapy not installed for $PYTHON"
	USE_SCAPY=1
}

require_vipctl()
{
	[ -n "$VIPCTL" ] || skip_all "vipctl not found: not built here," \
		"not on the PATH (VIPCTL=FILE names one)"
	[ -x "$VIPCTL" ] || skip_all "vipctl not built ($VIPCTL)"
}

# Load vipfo: the installed module, else the one built in the source tree.
# In the test VM (scripts/vm-run sets VIPFO_IN_VM) it must load.
require_vipfo()
{
	[ -d /sys/module/vipfo ] && return 0
	modprobe -q vipfo 2>/dev/null && return 0
	[ -n "$REPO_DIR" ] && insmod "$REPO_DIR/kmod/vipfo.ko" 2>/dev/null &&
		return 0
	[ -n "${VIPFO_IN_VM:-}" ] && fail_all "cannot load the vipfo module"
	skip_all "cannot load the vipfo module"
}

# require_installed: vipfo is installed in /lib/modules; where run_vm.sh
# installed it (VIPFO_INSTALLED), its absence is a failure.
require_installed()
{
	[ -n "$(modinfo -n vipfo 2>/dev/null)" ] && return 0
	[ -n "${VIPFO_INSTALLED:-}" ] &&
		fail_all "vipfo is not installed, although run_vm.sh installed it"
	skip_all "vipfo is not installed in /lib/modules/$(uname -r) (selftests/run_vm.sh installs it)"
}

# require_reloadable: for the tests that unload vipfo and load it again
# with modprobe: installed, and a module, not built into the kernel.
require_reloadable()
{
	require_installed
	[ "$(modinfo -n vipfo 2>/dev/null)" = "(builtin)" ] &&
		skip_all "vipfo is built into the kernel: it cannot be unloaded"
	return 0
}

# require_nics N: the VM's virtio-net NICs eth0..eth(N-1). scripts/vm-run
# --nics N exports VIPFO_NICS=N into the guest: where N were asked for,
# their absence is a failure. Without it they are not ours to take: on
# another host eth0... are its own NICs, and moving them into a namespace
# would cut the host off.
require_nics()
{
	local last=eth$(($1 - 1))

	if [ "${VIPFO_NICS:-0}" -ge "$1" ]; then
		[ -d "/sys/class/net/$last" ] ||
			fail_all "scripts/vm-run --nics $VIPFO_NICS, but no $last"
		return 0
	fi
	skip_all "needs $1 spare NICs, eth0-$last, given by scripts/vm-run --nics $1" \
		"(VIPFO_NICS=$1 hands the host's over)"
}

# Everything a topology test needs; skips the test when something is missing.
require_all()
{
	require_root
	require_cmd ip
	require_vipctl
	require_vipfo
}

cleanup()
{
	local pid ns

	arpc_stop
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	# What the runner's SIGTERM interrupted in the foreground still runs
	# in its namespace.
	for ns in "${NS_LIST[@]}"; do
		ns_kill "$ns"
	done
	cleanup_all_ns
	rm -rf "$TMPD"
	rm -f "$LEFTOVER_DIR/$SUFFIX"
}
trap cleanup EXIT

# bg CMD...: run the program CMD (not a shell function, so that BG_PID is
# the program itself) in the background; cleanup kills it.
bg()
{
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# The server: three member-to-be adapters on the bridge of the switch, the
# client on the same bridge, the host recipe (topology.sh), and the client's
# ARP tool when the test asked for scapy.
setup_topology()
{
	setup_links && setup_host || return 1
	if [ -n "${USE_SCAPY:-}" ]; then
		arpc_start || return 1
	fi
}

# setup_or_finish STEP...: run each setup function in turn; when one
# fails, so does the test, here.
setup_or_finish()
{
	local step

	for step in "$@"; do
		"$step" && continue
		not_ok "topology set up ($step)"
		finish
	done
}

# ---------------------------------------------------------------- ARP client

# The client's ARP tool runs as one process per test (scapy loads once):
# arp_client.py serve in the client namespace, fed through two FIFOs.
# setup_topology starts it for tests that called require_scapy.
arpc_start()
{
	mkfifo "$TMPD/arpc.in" "$TMPD/arpc.out" || return 1
	# (Redirected in the background child: opening a FIFO blocks.)
	ip netns exec "$CLI" "$PYTHON" "$SELFTEST_DIR/arp_client.py" serve \
		<"$TMPD/arpc.in" >"$TMPD/arpc.out" 2>"$TMPD/arpc.err" &
	BG_PIDS+=("$!")
	exec {ARPC_IN}>"$TMPD/arpc.in" {ARPC_OUT}<"$TMPD/arpc.out"
}

arpc_stop()
{
	[ -n "${ARPC_IN:-}" ] || return 0
	exec {ARPC_IN}>&- {ARPC_OUT}<&-
	ARPC_IN=
}

# arpc COMMAND [OPTIONS]: run one arp_client.py command in the running tool
# and print its output.
arpc()
{
	local line

	if [ -z "${ARPC_IN:-}" ]; then
		echo "arp_client not running (require_scapy before setup)" >&2
		return 1
	fi
	printf '%s\n' "$*" >&"$ARPC_IN"
	while IFS= read -r -t 300 line <&"$ARPC_OUT"; do
		[ "$line" = "." ] && return 0
		printf '%s\n' "$line"
	done
	echo "arp_client died: $(tail -n 5 "$TMPD/arpc.err")" >&2
	return 1
}

# arp_request TARGET[,TARGET] [arp_client.py request options]: prints
# "<sender MAC> <sender IP> <eth src> <iface> <target MAC> <target IP>
# <eth dst>" per reply received by c0 (or --listen).
arp_request()
{
	local target=$1

	shift
	arpc request --iface c0 --target "$target" \
		--window "${ARP_WINDOW:-1}" "$@"
}

# capture_start [SECONDS [MAX]]: record the gratuitous ARPs c0 (or
# $CAPTURE_IFACE) sees, until SECONDS (default 3) after the first one (MAX
# s at most, default 20); returns once listening.
capture_start()
{
	arpc capture --iface "${CAPTURE_IFACE:-c0}" --window "${1:-3}" \
		--max "${2:-20}" >"$TMPD/capture.err"
	[ ! -s "$TMPD/capture.err" ]
}

# capture_wait FILE: wait for the capture's end, its output into FILE
capture_wait()
{
	arpc collect >"$1"
}

# check_replies DESC REPLIES IF...: exactly one reply from each adapter IF,
# with that adapter's MAC in ARP and Ethernet header, addressed to the
# client (c0, or $REPLY_IFACE of the client) and nothing else.
check_replies()
{
	local desc=$1 replies=$2 want got i m to

	shift 2
	to=$(mac "$CLI" "${REPLY_IFACE:-c0}")
	want=$(for i in "$@"; do
		m=$(mac "$SRV" "$i")
		echo "$m $m $to $CLIENT_IP $to"
	done | sort)
	got=$(awk 'NF { print $1, $3, $5, $6, $7 }' <<<"$replies" | sort)
	if [ "$want" = "$got" ]; then
		ok "$desc"
	else
		not_ok "$desc" "expected one reply each from $* to $to" \
			"($(for i in "$@"; do echo -n "$i=$(mac "$SRV" "$i") "; done))" \
			"received (sender MAC, sender IP, eth src, iface," \
			"target MAC, target IP, eth dst):" "${replies:-(none)}"
	fi
}

# check_garps DESC FILE COUNT "VIP..." SURVIVOR...: COUNT gratuitous ARP
# requests (dst broadcast, sender IP = target IP = VIP, sender MAC = eth
# source = the survivor's MAC) from every survivor for every VIP and no
# other gratuitous ARP for a VIP; only those seen since $GARP_SINCE (epoch
# seconds, as $EPOCHREALTIME) count.
check_garps()
{
	local desc=$1 file=$2 count=$3 vips=$4 want got i v m

	shift 4
	want=$(for i in "$@"; do
		m=$(mac "$SRV" "$i")
		for v in $vips; do
			echo "$count $m $v $m $BCAST 1"
		done
	done | sort)
	got=$(awk -v vips=" $vips " -v since="${GARP_SINCE:-0}" \
		'index(vips, " " $2 " ") && $6 >= since { print $1, $2, $3, $4, $5 }' \
		"$file" | sort | uniq -c | awk '{ print $1, $2, $3, $4, $5, $6 }' |
		sort)
	if [ "$want" = "$got" ]; then
		ok "$desc"
	else
		not_ok "$desc" \
			"expected (count, sender MAC, VIP, eth src, eth dst, op):" \
			"$want" "seen:" "${got:-(none)}" \
			"adapters: $(for i in a1 a2 a3; do
				echo -n "$i=$(mac "$SRV" "$i" 2>/dev/null) "; done)"
	fi
}

# check_garp_rounds DESC FILE COUNT INTERVAL_MS "VIP..." SURVIVOR...: the
# timing docs/design.md promises, from the capture's arrival times: COUNT
# rounds (each VIP once from each survivor), the first at once, the next
# ones INTERVAL_MS apart (0.75 to 2 times it: a loaded machine delays the
# announcement work by hundreds of ms), and in every round the
# last update for each VIP (the one a peer keeps) spread over the
# survivors: each of them last for VIPs/survivors of the VIPs, rounded
# down or up. The failure came between $GARP_SINCE and $GARP_DONE (epoch
# seconds: before and after the command that failed the member, whose
# start alone can take hundreds of ms on a loaded machine): "at once" is
# within half an interval of $GARP_DONE.
check_garp_rounds()
{
	local desc=$1 file=$2 count=$3 interval=$4 vips=$5 macs="" i

	shift 5
	for i in "$@"; do
		macs="$macs $(mac "$SRV" "$i")"
	done
	if "$PYTHON" - "$file" "${GARP_SINCE:-0}" "${GARP_DONE:-$GARP_SINCE}" \
		"$count" "$interval" "$vips" "$macs" >"$TMPD/rounds.out" <<'EOF'
import sys
path, t0, done, count, interval, vips, macs = sys.argv[1:]
t0, done, count, iv = float(t0), float(done), int(count), int(interval) / 1000
vips, macs = vips.split(), macs.split()
frames = []
for line in open(path):
    f = line.split()
    if len(f) >= 6 and f[1] in vips and float(f[5]) >= t0:
        frames.append((float(f[5]), f[0], f[1]))
rounds = []
for fr in frames:           # in order of arrival
    if not rounds or fr[0] - rounds[-1][-1][0] > iv / 2:
        rounds.append([])
    rounds[-1].append(fr)
starts = [r[0][0] - t0 for r in rounds]
bad = []
if len(rounds) != count:
    bad.append(f"{len(rounds)} rounds, not {count}")
elif starts[0] >= done - t0 + iv / 2:
    bad.append(f"first round {(starts[0] - (done - t0)) * 1000:.0f} ms after "
               f"the failure, not at once (< {iv / 2 * 1000:.0f} ms)")
for k in range(1, len(rounds)):
    gap = starts[k] - starts[k - 1]
    if not 0.75 * iv <= gap <= 2 * iv:
        bad.append(f"round {k + 1} {gap * 1000:.0f} ms after round {k}, "
                   f"not {iv * 1000:.0f} ms")
lo, hi = len(vips) // len(macs), -(-len(vips) // len(macs))
want = sorted((m, v) for m in macs for v in vips)
for k, r in enumerate(rounds):
    if sorted((m, v) for _, m, v in r) != want:
        bad.append(f"round {k + 1}: not each VIP once from each survivor")
        continue
    last = {v: m for _, m, v in r}
    n = {m: list(last.values()).count(m) for m in macs}
    if any(not lo <= x <= hi for x in n.values()):
        bad.append(f"round {k + 1}: last updates per survivor {n}, "
                   f"not {lo}-{hi} each")
print("rounds at " + ", ".join(f"+{s * 1000:.0f}" for s in starts) +
      f" ms (the failing command took {(done - t0) * 1000:.0f} ms)")
if bad:
    print("\n".join(bad))
    for t, m, v in frames:
        print(f"{(t - t0) * 1000:9.1f} ms {m} {v}")
    sys.exit(1)
EOF
	then
		ok "$desc: $(cat "$TMPD/rounds.out")"
	else
		not_ok "$desc" "$(cat "$TMPD/rounds.out")"
	fi
}

# ---------------------------------------------------------------- IPv6: what the client sees

NA_ALLNODES_MAC=33:33:00:00:00:01

# nd_capture_start [IF]: record the neighbour solicitations and
# advertisements that reach the client's c0 (or IF) from then on, for the
# rest of the test, into $ND_CAPTURE, one line each, in order of arrival:
#     <link-layer address option (NA: target's, NS: source's) or ->
#     <target> <eth source> <eth destination> <kind> <arrival time>
#     <IPv6 source> <IPv6 destination> <hop limit> <checksum ok|bad>
# kind: "ns", or "na:" and the flags set among R S O ("na:-" for none).
# The arrival time is the kernel's, in seconds since the epoch, as in
# capture_start's output: check_garp_rounds reads an NA capture, or one
# merged with the ARP capture by time, as it reads the ARP capture.
# Returns once listening. A socket of its own with a BPF filter, not
# scapy: it starts at once, and other IPv6 traffic (a transfer) never
# wakes it up or fills its queue.
nd_capture_start()
{
	local code

	ND_CAPTURE=$TMPD/nd-capture
	# (Not a here-document on bg's stdin: a background job reads
	# /dev/null.)
	code=$(cat <<'EOF'
import ctypes, os, select, socket, struct, sys, time
iface, path = sys.argv[1:]
SO_ATTACH_FILTER, SO_TIMESTAMPNS = 26, 35
# ICMPv6 (next header 58, no extension header) of type 135 or 136
code = [(0x28, 0, 0, 12), (0x15, 0, 6, 0x86dd), (0x30, 0, 0, 20),
        (0x15, 0, 4, 58), (0x30, 0, 0, 54), (0x35, 0, 2, 135),
        (0x25, 1, 0, 136), (0x06, 0, 0, 0x40000), (0x06, 0, 0, 0)]
prog = ctypes.create_string_buffer(
    b"".join(struct.pack("HBBI", *i) for i in code))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd))
s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
             struct.pack("HL", len(code), ctypes.addressof(prog)))
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind((iface, 0))

def mac(b):
    return ":".join(f"{x:02x}" for x in b)

def ip6(b):
    return socket.inet_ntop(socket.AF_INET6, b)

def csum_ok(src, dst, icmp):
    data = src + dst + struct.pack("!I3xB", len(icmp), 58) + icmp
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total == 0xffff

def line(f, ts):
    plen = struct.unpack("!H", f[18:20])[0]
    icmp = f[54:54 + plen]
    if len(icmp) < 24 or len(icmp) != plen:
        return None
    kind = "ns"
    if icmp[0] == 136:
        kind = "na:" + ("".join(c for bit, c in ((0x80, "R"), (0x40, "S"),
                        (0x20, "O")) if icmp[4] & bit) or "-")
    lla, opt = "-", icmp[24:]
    while len(opt) >= 8 and opt[1]:
        if opt[0] in (1, 2):
            lla = mac(opt[2:8])
        opt = opt[opt[1] * 8:]
    return (f"{lla} {ip6(icmp[8:24])} {mac(f[6:12])} {mac(f[0:6])} "
            f"{kind} {ts:.6f} {ip6(f[22:38])} {ip6(f[38:54])} {f[21]} "
            f"{'ok' if csum_ok(f[22:38], f[38:54], icmp) else 'bad'}")

# PATH.idle: when the queue was last empty, for nd_sync
def idle():
    with open(path + ".idle.tmp", "w") as t:
        t.write(f"{time.time():.6f}\n")
    os.replace(path + ".idle.tmp", path + ".idle")

out = open(path, "a")
idle()
while True:
    if not select.select([s], [], [], 0.1)[0]:
        idle()
        continue
    f, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(16))
    ts = time.time()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            ts = sec + nsec / 1e9
    text = line(f, ts)
    if text:
        out.write(text + "\n")
        out.flush()
EOF
)
	bg ip netns exec "$CLI" "$PYTHON" -c "$code" "${1:-c0}" "$ND_CAPTURE"
	slowwait 30 test -e "$ND_CAPTURE.idle"
}

# nd_sync: wait until the ND capture has written all that reached the
# client before the call (it found its queue empty since)
nd_sync()
{
	slowwait 10 awk -v t="$EPOCHREALTIME" '{ exit !($1 > t) }' \
		"$ND_CAPTURE.idle"
}

# nd_nas FILE: the unsolicited advertisements (Solicited clear: no
# answers) of the ND capture FILE, in the ARP capture's columns (see
# nd_capture_start)
nd_nas()
{
	awk '$5 ~ /^na:[^S]*$/' "$1"
}

# check_nas DESC FILE COUNT "VIP6..." SURVIVOR...: check_garps' twin for
# IPv6 VIPs, on an ND capture: COUNT unsolicited neighbour advertisements
# (to ff02::1 at 33:33:00:00:00:01, IPv6 source and target the VIP, eth
# source and target link-layer option the survivor's MAC, Override set,
# Router clear, hop limit 255, checksum right) from every survivor for
# every VIP, and no other unsolicited advertisement for a VIP; only those
# seen since $GARP_SINCE count. (Answers to the client's own
# solicitations, Solicited set, are no announcements.)
check_nas()
{
	local desc=$1 file=$2 count=$3 vips=$4 want got i v m

	shift 4
	want=$(for i in "$@"; do
		m=$(mac "$SRV" "$i")
		for v in $vips; do
			echo "$count $m $v $m $NA_ALLNODES_MAC na:O $v ff02::1 255 ok"
		done
	done | sort)
	got=$(nd_nas "$file" | awk -v vips=" $vips " -v since="${GARP_SINCE:-0}" \
		'index(vips, " " $2 " ") && $6 >= since {
			print $1, $2, $3, $4, $5, $7, $8, $9, $10 }' |
		sort | uniq -c | awk '{ $1 = $1; print }' | sort)
	if [ "$want" = "$got" ]; then
		ok "$desc"
	else
		not_ok "$desc" \
			"expected (count, target link-layer option, target, eth src," \
			"eth dst, flags, IPv6 src, IPv6 dst, hop limit, checksum):" \
			"$want" "seen:" "${got:-(none)}" \
			"adapters: $(for i in a1 a2 a3; do
				echo -n "$i=$(mac "$SRV" "$i" 2>/dev/null) "; done)"
	fi
}

# ---------------------------------------------------------------- what an adapter sends

# tx_watch IF...: count the ARP frames vipfo (or anyone) hands to server
# adapter IF, also those that IF drops because it cannot send (down, no
# carrier, being deleted): tc's egress hook runs before the qdisc that
# drops them, and mirrors each to a dummy device wIF whose counter
# outlives IF.
tx_watch()
{
	local i

	for i in "$@"; do
		echo "link add w$i type dummy"
		echo "link set w$i up"
	done | ip -n "$SRV" -b - || return 1
	for i in "$@"; do
		echo "qdisc add dev $i clsact"
		echo "filter add dev $i egress protocol arp matchall action mirred egress mirror dev w$i"
	done | tc -n "$SRV" -b -
}

# tx_count IF: ARP frames handed to IF since tx_watch
tx_count()
{
	counter "$SRV" "w$1" tx
}

# member_counters GROUP IF: "garps replies tx_errors" of member IF (awk
# on the one-line JSON: cheaper than a Python process)
member_counters()
{
	vipctl show "$1" --json --stats | awk -v dev="$2" '
		BEGIN { RS = "\\{\"ifname\":\"" }
		index($0, dev "\"") == 1 {
			for (i = 1; i <= 3; i++) {
				k = i == 1 ? "garps" : i == 2 ? "replies" : "tx_errors"
				if (!match($0, "\"" k "\":[0-9]+")) exit 1
				out = out (i > 1 ? " " : "") substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
			}
			print out
		}'
}

# check_silent DESC IF TX_BEFORE COUNTERS_BEFORE: nothing was handed to
# IF since tx_count said TX_BEFORE, and its counters in group web (garps,
# replies, tx_errors) still read COUNTERS_BEFORE ("" for a member that
# is gone)
check_silent()
{
	local desc=$1 tx counters=""

	tx=$(tx_count "$2")
	[ -n "$4" ] && counters=$(member_counters web "$2")
	if [ "$tx" = "$3" ] && [ "$counters" = "$4" ]; then
		ok "$desc"
	else
		not_ok "$desc" "ARP frames handed to $2: $3 before, $tx after" \
			"${4:+its counters (garps replies tx_errors): $4 before, $counters after}"
	fi
}

# ---------------------------------------------------------------- JSON

# json_check FILE EXPR...: evaluate each Python EXPR on the JSON document
# in FILE (j: the document; g: its first group; d: g's devices by ifname;
# e: j itself when it is one event) and print every one that is not True.
json_check()
{
	"$PYTHON" - "$@" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
e = j
g = j["groups"][0] if isinstance(j, dict) and j.get("groups") else {}
d = {x.get("ifname"): x for x in g.get("devices", [])}
bad = 0
for expr in sys.argv[2:]:
    try:
        r = eval(expr)
    except Exception as ex:
        r = ex
    if r is not True:
        print(f"expected {expr}: got {r!r}")
        bad = 1
if bad:
    print("document: " + json.dumps(j)[:2000])
sys.exit(bad)
EOF
}

# json_value FILE EXPR: print a Python expression of the document j.
json_value()
{
	"$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# find_event FILE OUT COND: the first JSON line of FILE for which the Python
# condition COND on e holds, written to OUT. Fails when there is none.
find_event()
{
	"$PYTHON" - "$@" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    try:
        hit = eval(sys.argv[3])
    except Exception:
        hit = False
    if hit is True:
        with open(sys.argv[2], "w") as f:
            f.write(line)
        sys.exit(0)
sys.exit(1)
EOF
}

# vip_count_on_lo NS ADDR: 1 if ADDR/32 is on lo, else 0
addr_on_lo()
{
	ip -n "$1" -4 addr show dev lo | grep -q "inet $2/32"
}

# client_neigh VIP: the MAC of the client's neighbour entry for VIP
client_neigh()
{
	ip -n "$CLI" neigh show "$1" dev c0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# client_resolve VIP: make the client resolve VIP (a UDP datagram to the
# discard port) and wait until it has a MAC for it.
client_resolve()
{
	cli bash -c "echo x > /dev/udp/$1/9" 2>/dev/null
	slowwait 10 test -n "\$(client_neigh $1)"
}

# arp_frames FILE: the ARP frames of a tcpdump text capture (tcpdump -nn
# -e -tt) as "<time> <eth src> <op> <target IP> <sender IP>" (op: who-has
# or is-at)
arp_frames()
{
	awk '{ t = $1; src = $2
	       for (i = 1; i < NF; i++) {
		if ($i == "who-has") { tip = $(i + 1); sub(/,$/, "", tip)
			for (j = i; j < NF; j++) if ($j == "tell") sip = $(j + 1)
			sub(/,$/, "", sip); print t, src, "who-has", tip, sip; next }
		if ($i == "Reply") { sip = $(i + 1); print t, src, "is-at", "-", sip; next }
	       } }' "$1"
}

# The MACs of the given server adapters, space-separated.
macs_of()
{
	local i

	for i in "$@"; do
		echo -n "$(mac "$SRV" "$i") "
	done
}

# states_are GROUP IF=STATE...: vipfo reports each IF of GROUP in STATE
# (up, no-carrier, down)
states_are()
{
	local f="$TMPD/states.json" g=$1 a exprs=()

	shift
	vipctl show "$g" --json >"$f" 2>/dev/null || return 1
	for a in "$@"; do
		exprs+=("d['${a%%=*}']['state'] == '${a#*=}'")
	done
	json_check "$f" "${exprs[@]}" >/dev/null
}

# dev_state_is GROUP IF STATE: vipfo reports member IF in STATE
dev_state_is()
{
	states_are "$1" "$2=$3"
}

# monitor_start NS FILE: `vipctl monitor --json` of namespace NS into
# FILE; returns once it receives events (a group "monitor-ready" created
# and deleted until the monitor reports it).
monitor_start()
{
	local i

	bg ip netns exec "$1" "$VIPCTL" monitor --json >"$2" 2>"$2.err"
	MONITOR_PID=$BG_PID
	for ((i = 0; i < 20; i++)); do
		ip netns exec "$1" "$VIPCTL" group add monitor-ready &&
			ip netns exec "$1" "$VIPCTL" group del monitor-ready
		slowwait 2 grep -q '"group":"monitor-ready"' "$2" && return 0
	done
	return 1
}

# no_groups NS: vipctl show --json in NS lists no group
no_groups()
{
	ip netns exec "$1" "$VIPCTL" show --json >"$TMPD/groups.json" &&
		json_check "$TMPD/groups.json" "j['groups'] == []"
}
