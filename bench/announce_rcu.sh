#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/announce_rcu.sh [KO...]: how a large announcement delays RCU grace
# periods, and its own pace, for each build of the module given (default
# kmod/vipfo.ko; the first is the baseline). Runs in the VM, one boot for
# all, the builds alternating run by run:
#
#   scripts/vm-run --mem 2048 -- bench/announce_rcu.sh kmod/vipfo.ko OTHER.ko
#
# Each run: the selftests' topology, a group of a1 a2 a3 with 5,000 VIPs
# and 10 GARP rounds; membarrier(MEMBARRIER_CMD_GLOBAL), which waits for a
# grace period, every 100 ms from 3 s before a1's carrier loss until a3
# has sent its 50,000 frames. ANNOUNCE_REPS (default 5) runs per build
# (pass it with VM_ENV=ANNOUNCE_REPS).

set -u
here=$(cd "$(dirname "$0")" && pwd)

# One run with the module loaded now; prints "GP_MAX GP_P90 IDLE_MAX MS".
measure()
{
	local nvips=5000 rounds=10 tx0 want t0 t1 gp idle gp_pid

	require_all
	setup_topology >/dev/null || exit 1
	vipctl group add web --dev a1,a2,a3 --garp-count $rounds \
		--garp-interval 100 || exit 1
	mapfile -t vips < <(for ((i = 0; i < nvips; i++)); do
		echo "10.77.$((i / 250)).$((i % 250 + 1))"; done)
	vipctl vip add web --no-local "${vips[@]}" || exit 1
	gp=$TMPD/gp
	bg "$PYTHON" -c '
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
SYS_membarrier, MEMBARRIER_CMD_GLOBAL = 324, 1	# x86-64
while True:
    t = time.monotonic()
    if libc.syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0:
        raise SystemExit("membarrier failed")
    print(f"{(time.monotonic() - t) * 1000:.1f}", flush=True)
    time.sleep(0.1)' >"$gp"
	gp_pid=$BG_PID
	sleep 3
	idle=$(wc -l <"$gp")
	tx0=$(tx_packets "$SRV" a3)
	want=$((tx0 + nvips * rounds))
	t0=$(now_ms)
	fail_adapter carrier-loss a1
	slowwait 600 more_than $((want - 1)) tx_packets "$SRV" a3 || exit 1
	t1=$(now_ms)
	kill "$gp_pid"
	"$PYTHON" - "$gp" "$idle" "$((t1 - t0))" <<'EOF'
import sys
v = [float(x) for x in open(sys.argv[1]) if x.strip()]
n = int(sys.argv[2])
busy = sorted(v[n:])
print(f"{busy[-1]:.1f} {busy[int(0.9 * (len(busy) - 1))]:.1f} "
      f"{max(v[:n]):.1f} {sys.argv[3]}")
EOF
}

if [ "${1:-}" = --measure ]; then
	source "$here/../selftests/lib.sh"
	source "$SELFTEST_DIR/fault_lib.sh"
	measure
	exit
fi

[ $# -gt 0 ] || set -- "$here/../kmod/vipfo.ko"
reps=${ANNOUNCE_REPS:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= reps; r++)); do
	for ko in "$@"; do
		rmmod vipfo 2>/dev/null
		insmod "$ko" || { echo "announce_rcu: cannot load $ko" >&2; exit 1; }
		line=$("$0" --measure | tail -n 1)
		case $line in
		*[0-9]" "*[0-9]) ;;
		*) echo "announce_rcu: run $r of $ko failed" >&2; exit 1 ;;
		esac
		echo "run $r/$reps $ko: GP max $(cut -d' ' -f1 <<<"$line") ms, announcement $(cut -d' ' -f4 <<<"$line") ms"
		echo "$ko $line" >>"$out"
	done
done
rmmod vipfo 2>/dev/null
/usr/bin/python3 - "$out" "$@" <<'EOF'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
base = None
print("| module | GP max, median of runs (range) | GP p90 | idle GP max | "
      "50,000 frames, median (range) | speed vs first |")
print("| --- | --- | --- | --- | --- | --- |")
for ko in sys.argv[2:]:
    r = [[float(x) for x in row[1:]] for row in rows if row[0] == ko]
    col = lambda i: [x[i] for x in r]
    ms = st.median(col(3))
    base = base or ms
    print(f"| {ko} | {st.median(col(0)):.0f} ms ({min(col(0)):.0f}-{max(col(0)):.0f}) "
          f"| {st.median(col(1)):.0f} ms | {max(col(2)):.0f} ms "
          f"| {ms / 1000:.2f} s ({min(col(3)) / 1000:.2f}-{max(col(3)) / 1000:.2f}) "
          f"| {base / ms:.2f} |")
EOF
