#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package that building, testing and demonstrating
# vipfo needs. Idempotent: installs only what is missing.
# --debug-kernel: also what building the debug kernel of `make check-debug`
# needs (scripts/debug-kernel).
set -eu

PKGS="build-essential make gcc g++ cmake pkg-config
libcli11-dev libmnl-dev nlohmann-json3-dev libgtest-dev libtomlplusplus-dev
linux-image-amd64 linux-headers-amd64 linux-source-6.1
linux-source-6.12 python3-yaml python3-jsonschema
qemu-system-x86 busybox-static cpio kmod xz-utils dkms
iproute2 arping tcpdump python3 python3-scapy socat
iputils-ping netsniff-ng python3-matplotlib sparse dwarves scdoc keepalived
python3-prometheus-client
debhelper dh-dkms dpkg-dev fakeroot lintian bash-completion debootstrap
rsync time"
# rsync: the kernel's lib.mk installs the selftests with it
# (make -C selftests install).
# keepalived is for selftests/keepalived.sh, which runs its own instances in
# namespaces; Debian's keepalived.service starts only once
# /etc/keepalived/keepalived.conf exists, which nothing here creates.
[ "${1:-}" = --debug-kernel ] && PKGS="$PKGS flex bison bc libelf-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
