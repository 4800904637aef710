#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM half of scripts/check-packages, run in the root the packages were
# installed into, booted by scripts/vm-run --root with systemd as PID 1,
# once multi-user.target is reached. The root's configuration (written by
# check-packages as an operator would): the example /etc/vipfo/vipfo.conf
# with its group "web" uncommented (eth0-eth2), conf.d/10-db.conf, the
# NICs brought up by systemd-networkd, vipfo-monitor and
# vipfo-metrics.timer enabled. Checks what boot did, then a failure, a
# reload after an edit, the metrics and the stop. TAP-like "ok"/"not ok"
# lines; exits 1 on any failure.
set -u
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $1"; shift; printf '# %s\n' "$@"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# Poll COMMAND for up to $1 s.
busywait() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.2; done; }
kver=$(uname -r)
prom=/var/lib/prometheus/node-exporter/vipfo.prom
garps() { vipctl show web -j -s 2>/dev/null | grep -o '"garps":[0-9]*' | head -n 1 | cut -d: -f2; }
# For busywait: at least garp-count (3) more since $before; the
# monitor's entry for eth1's failover; what ExecReload printed since
# the first $seen lines (not systemd's "Reloading").
# shellcheck disable=SC2317
{
reload_log() { log=$(journalctl _SYSTEMD_UNIT=vipfo.service -o cat | tail -n +$((seen + 1))); [ -n "$log" ]; }
announced() { local g; g=$(garps); [ "${g:-0}" -ge $((${before:-0} + 3)) ]; }
has_failover() { journalctl -b VIPFO_EVENT=failover VIPFO_GROUP=web VIPFO_DEVICE=eth1 -o cat | grep -q .; }
}

check "systemd is PID 1 (booted the packaged root, kernel $kver)" \
	test "$(cat /proc/1/comm)" = systemd
failed=$(systemctl list-units --failed --plain --no-legend)
if [ -z "$failed" ]; then ok "no failed units"; else not_ok "no failed units" "$failed"; fi

# Boot: vipfo.service loaded the module and applied the files.
if [ "$(systemctl is-active vipfo)" = active ]; then
	ok "vipfo.service active after boot"
else
	not_ok "vipfo.service active after boot" "$(systemctl status vipfo 2>&1 | tail -n 15)"
fi
log=$(journalctl -b -u vipfo -o cat)
if grep -q '^+ group web:' <<<"$log" && grep -q '^+ group db:' <<<"$log"; then
	ok "journal: vipfo.service applied vipfo.conf and conf.d at boot"
else
	not_ok "journal: vipfo.service applied vipfo.conf and conf.d at boot" "$log"
fi
ko=$(modinfo -n vipfo 2>&1)
if [ "$ko" != "${ko#/lib/modules/"$kver"/updates/dkms/vipfo.ko}" ] &&
   [ "$(cat /sys/module/vipfo/srcversion 2>&1)" = "$(modinfo -F srcversion vipfo)" ]; then
	ok "the module loaded is DKMS's for $kver ($ko)"
else
	not_ok "the module loaded is DKMS's for $kver" "modinfo -n: $ko" \
		"loaded: $(cat /sys/module/vipfo/srcversion 2>&1)" "$(dkms status 2>&1)"
fi
show=$(vipctl show -j -s)
if grep -q '"name":"web"' <<<"$show" && grep -q '"name":"db"' <<<"$show" &&
   [ "$(grep -o '"state":"up"' <<<"$show" | wc -l)" -ge 3 ]; then
	ok "vipctl show: groups web and db, eth0-eth2 up"
else
	not_ok "vipctl show: groups web and db, eth0-eth2 up" "$(vipctl show)"
fi
check "VIP 192.0.2.100 is a local address on lo" \
	grep -q 192.0.2.100 <(ip -o addr show dev lo)

# An adapter fails: the survivors announce, vipfo-monitor logs it.
before=$(garps)
ip link set eth1 down
if busywait 10 announced; then
	ok "eth1 down: the survivors announced ($before -> $(garps) gratuitous ARPs)"
else
	not_ok "eth1 down: the survivors announced" "$(vipctl show -s)"
fi
if busywait 10 has_failover; then
	ok "journal: vipfo-monitor logged the failover of eth1"
else
	not_ok "journal: vipfo-monitor logged the failover of eth1" \
		"$(journalctl -b -u vipfo-monitor -o cat | tail -n 10)"
fi

# The timer writes the metrics, and again: eth1's failure reaches them.
check "vipfo-metrics.timer active" test "$(systemctl is-active vipfo-metrics.timer)" = active
if busywait 40 grep -qx 'vipfo_member_up{group="web",device="eth1"} 0' "$prom" &&
   grep -qx 'vipfo_member_up{group="web",device="eth0"} 1' "$prom"; then
	ok "the timer wrote $prom, and again after the failure"
else
	not_ok "the timer wrote $prom, and again after the failure" \
		"$(systemctl status vipfo-metrics.timer vipfo-metrics.service 2>&1 | tail -n 20)" \
		"$(grep member_up "$prom" 2>&1)"
fi
ip netns add blue
systemctl start vipfo-metrics@blue.service
check "vipfo-metrics@blue.service wrote vipfo-blue.prom" \
	test -s /var/lib/prometheus/node-exporter/vipfo-blue.prom
ip netns del blue
ip link set eth1 up

# A reload after an edit changes exactly the edit.
saved=$(vipctl save)
seen=$(journalctl _SYSTEMD_UNIT=vipfo.service -o cat | wc -l)
sed -i 's/^garp-count = 3$/garp-count = 4/' /etc/vipfo/vipfo.conf
systemctl reload vipfo
# Once journald has a line of it, give it the rest.
busywait 5 reload_log
sleep 1
reload_log
if [ "$log" = "~ group web: garp-count 3 -> 4" ]; then
	ok "systemctl reload vipfo after an edit: the journal shows exactly the edit"
else
	not_ok "systemctl reload vipfo after an edit: the journal shows exactly the edit" "$log"
fi
diff=$(diff <(echo "$saved") <(vipctl save) | grep '^[<>]')
if [ "$diff" = "$(printf '< garp-count = 3\n> garp-count = 4')" ]; then
	ok "vipctl save: the reload changed only garp-count"
else
	not_ok "vipctl save: the reload changed only garp-count" "$diff"
fi

systemctl stop vipfo
if [ "$(vipctl show -j)" = '{"groups":[]}' ] &&
   ! ip -o addr show dev lo | grep -q 192.0.2.100; then
	ok "systemctl stop vipfo removed the groups and their local addresses"
else
	not_ok "systemctl stop vipfo removed the groups" "$(vipctl show)"
fi
# Last, the box as a kselftest CI has it: the collection check-packages
# installed in /opt, run twice by run_kselftest.sh on the module DKMS
# built and the packaged vipctl (VIPFO_KSFT_PACKAGED). One compound
# command, read whole before it runs: kselftest-test.sh hides the source
# tree, this file's directory, under a tmpfs.
{
	out=$("$(dirname "$0")/kselftest-test.sh" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ "$rc" = 0 ]; then
		ok "the installed kselftest collection, twice on the DKMS-built module: $(tail -n 1 <<<"$out")"
	else
		not_ok "the installed kselftest collection, twice on the DKMS-built module" \
			"$(tail -n 1 <<<"$out")"
	fi
	echo "check-packages: $fails failed"
	exit $((fails > 0))
}
