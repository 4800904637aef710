#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads by itself when vipctl asks for the "vipfo" family
# (MODULE_ALIAS_GENL_FAMILY), once installed and depmod'ed.

source "$(dirname "$0")/lib.sh"

require_root
require_vipctl
require_reloadable
tap_header

check "modinfo: alias for the genl family" \
	bash -c "modinfo -F alias vipfo | grep -qx 'net-pf-16-proto-16-family-vipfo'"

if [ -d /sys/module/vipfo ] && ! rmmod vipfo; then
	not_ok "unloaded before the test" "$(lsmod | grep vipfo)"
	finish
fi
check "vipfo not loaded" test ! -d /sys/module/vipfo
setup_ns SRV
check "vipctl show without the module loaded" vipctl show
check "vipctl loaded it" test -d /sys/module/vipfo
check "no group in a new namespace" no_groups "$SRV"

finish
