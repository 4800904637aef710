#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM half of scripts/check-packages: in the root the packages were
# installed into ($PKGROOT), with the module DKMS built there ($PKGKO),
# run what vipfo.service runs, with the packaged vipctl and a
# configuration in /etc/vipfo, on the VM's NICs eth0-eth2; then a
# failure, a reload after an edit, the stop, and the metrics.
set -u
root=${PKGROOT:?} ko=${PKGKO:?}
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $1"; shift; printf '# %s\n' "$@"; fails=$((fails + 1)); }
in_root() { chroot "$root" "$@"; }
# The unit's command for KEY (ExecStart, ExecReload, ExecStop).
unit_cmd() { sed -n "s/^$1=//p" "$root/lib/systemd/system/vipfo.service"; }

insmod "$ko" || { not_ok "insmod the DKMS-built $ko"; exit 1; }
ok "insmod the DKMS-built module"
mount -t proc proc "$root/proc"
for i in 0 1 2; do ip link set "eth$i" up; done

cat >"$root/etc/vipfo/vipfo.conf" <<'CONF'
[group.web]
devices = ["eth0", "eth1", "eth2"]
vips = ["192.0.2.100", "2001:db8::100"]
garp-count = 2
CONF
cat >"$root/etc/vipfo/conf.d/10-db.conf" <<'CONF'
[group.db]
vips = ["192.0.2.200"]
local = false
CONF

# ExecStart, as systemd would run it (ExecStartPre's modprobe is insmod
# above: the VM's /lib/modules is not the root's).
# shellcheck disable=SC2046 # the unit's words
out=$(in_root $(unit_cmd ExecStart) 2>&1)
rc=$?
if [ "$rc" = 0 ] && grep -q "^+ group web" <<<"$out" && grep -q "^+ group db" <<<"$out"; then
	ok "ExecStart applied vipfo.conf and conf.d (its log: $(tr '\n' ';' <<<"$out"))"
else
	not_ok "ExecStart applied vipfo.conf and conf.d" "exit $rc" "$out"
fi
show=$(in_root vipctl show -j -s)
if grep -q '"name":"web"' <<<"$show" && grep -q '"ifname":"eth2"' <<<"$show"; then
	ok "vipctl show: groups web and db"
else
	not_ok "vipctl show: groups web and db" "$show"
fi

ip link set eth1 down
sleep 1
garps=$(in_root vipctl show web -j -s | grep -o '"garps":[0-9]*' | head -n 1 | cut -d: -f2)
if [ "${garps:-0}" -ge 2 ]; then
	ok "eth1 down: the survivors announced ($garps gratuitous ARPs)"
else
	not_ok "eth1 down: the survivors announced" "$(in_root vipctl show -s)"
fi
ip link set eth1 up

sed -i 's/garp-count = 2/garp-count = 4/' "$root/etc/vipfo/vipfo.conf"
# shellcheck disable=SC2046
out=$(in_root $(unit_cmd ExecReload) 2>&1)
if [ "$out" = "~ group web: garp-count 2 -> 4" ]; then
	ok "ExecReload after an edit: exactly the edit"
else
	not_ok "ExecReload after an edit: exactly the edit" "$out"
fi

mkdir -p "$root/var/lib/prometheus/node-exporter"
if in_root vipctl show --prometheus -o /var/lib/prometheus/node-exporter/vipfo.prom &&
   grep -q '^vipfo_member_up{group="web",device="eth0"} 1$' \
	"$root/var/lib/prometheus/node-exporter/vipfo.prom"; then
	ok "metrics written for node_exporter's textfile collector"
else
	not_ok "metrics written" "$(head -n 20 "$root/var/lib/prometheus/node-exporter/vipfo.prom" 2>&1)"
fi

# shellcheck disable=SC2046
in_root $(unit_cmd ExecStop) >/dev/null 2>&1
if [ "$(in_root vipctl show -j)" = '{"groups":[]}' ] &&
   ! ip -o addr show dev lo | grep -q 192.0.2.100; then
	ok "ExecStop removed the groups and their local addresses"
else
	not_ok "ExecStop removed the groups" "$(in_root vipctl show)"
fi
umount "$root/proc"
echo "check-packages: $fails failed"
exit $((fails > 0))
