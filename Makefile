# SPDX-License-Identifier: GPL-2.0
#
# make            build vipfo.ko and vipctl
# make check      unit tests on the host, every selftest in a VM; ends with
#                 one line "N passed, N failed, N skipped"
# make check-debug  every selftest in a VM under a debug kernel (KASAN,
#                 lockdep, kmemleak...), built once and cached; not in CI
#                 (docs/testing.md)
# make check-kselftest  the selftests installed as a kselftest collection
#                 and run twice with run_kselftest.sh in a VM, all of them
#                 (make check runs a subset); not in CI (docs/testing.md)
# make check-all-kernels  every selftest in a VM on 6.1 and 6.12, generic
#                 and rt, each from the archive's packages (KERNELS=6.12:rt-amd64
#                 for some, TESTS="a.sh b.sh" for some tests); not in CI
# make demo       a narrated failover in a VM
# make bench      vipfo against Linux bonding in a VM, up to 45 min
#                 (PARTS=gap,fanout for some parts); make bench-hosts:
#                 failover between hosts with keepalived (docs/benchmarks.md)
# make install    install vipctl, its man pages and bash completion (PREFIX, DESTDIR)
# make man        the man pages, build/man (scdoc), checked against vipctl
# make dkms-install  install the module's source with DKMS and build it
# make deb        Debian packages vipfo-dkms and vipctl in build/deb, checked
#                 with lintian
# make check-packages  the packages installed with apt into a debootstrapped
#                 root with a kernel and systemd, booted in the VM and
#                 checked from inside (docs/testing.md); not in CI
#
# KVER/KDIR pick the kernel to build for, and the VM boots the same one:
# by default scripts/kver's choice (the running kernel if it is of a
# supported series, else the newest installed one).

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
DESTDIR ?=
KVER ?= $(shell scripts/kver)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := build

all: module vipctl

module:
	$(MAKE) -C kmod KVER=$(KVER) KDIR=$(KDIR)

# A unity build (eight sources a unit) parses CLI11, nlohmann/json and
# gtest a few times instead of once per source: 97 s instead of 221 s on
# two cores. The Debian package builds each source alone (make deb), which
# also catches a source that does not include what it uses.
vipctl:
	cmake -S tools -B $(BUILD)/tools -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_UNITY_BUILD=ON >/dev/null
	cmake --build $(BUILD)/tools -j2

selftests: vipctl
	$(MAKE) -C selftests

deps:
	scripts/install-deps.sh

check: deps
	KVER=$(KVER) KDIR=$(KDIR) scripts/check

check-debug:
	scripts/install-deps.sh --debug-kernel
	scripts/check-debug

check-kselftest: deps all
	$(MAKE) -C selftests
	VM_KERNEL=/boot/vmlinuz-$(KVER) scripts/check-kselftest --full

check-all-kernels: deps all
	$(MAKE) -C selftests
	scripts/check-all-kernels $(TESTS)

demo: deps all
	VM_KERNEL=/boot/vmlinuz-$(KVER) scripts/vm-run --timeout 600 -- scripts/demo.sh

bench: deps all
	VM_KERNEL=/boot/vmlinuz-$(KVER) bench/run

bench-hosts: deps all
	VM_KERNEL=/boot/vmlinuz-$(KVER) bench/run hosts

man: vipctl
	scripts/man-check $(BUILD)/tools/vipctl $(BUILD)/man

install: vipctl man
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)/tools --prefix $(PREFIX)
	install -D -m 644 $(BUILD)/man/vipctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/vipctl.8
	install -D -m 644 $(BUILD)/man/vipfo.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/vipfo.conf.5
	install -D -m 644 completion/vipctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/vipctl

# The module's source tree as DKMS wants it in /usr/src/vipfo-VERSION.
dkms-src:
	rm -rf $(BUILD)/dkms/vipfo-$(VERSION)
	mkdir -p $(BUILD)/dkms/vipfo-$(VERSION)/kmod $(BUILD)/dkms/vipfo-$(VERSION)/include/uapi/linux
	cp dkms.conf VERSION $(BUILD)/dkms/vipfo-$(VERSION)/
	cp kmod/Kbuild kmod/Makefile kmod/*.c kmod/*.h $(BUILD)/dkms/vipfo-$(VERSION)/kmod/
	rm -f $(BUILD)/dkms/vipfo-$(VERSION)/kmod/*.mod.c
	cp include/uapi/linux/vipfo.h $(BUILD)/dkms/vipfo-$(VERSION)/include/uapi/linux/

# The packages, from a copy of the tree (git's files, as they are now) with
# debian/changelog written from VERSION: the one place the version is.
deb: deps
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/vipfo-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 tar -cf - --ignore-failed-read | tar -xf - -C $(BUILD)/deb/vipfo-$(VERSION)
	printf '%s\n' "vipfo ($(VERSION)) unstable; urgency=medium" "" \
		"  * Built from $$(git describe --always --dirty 2>/dev/null || echo an unknown commit)." "" \
		" -- vipfo developers <vipfo@example.org>  $$(date -R)" \
		>$(BUILD)/deb/vipfo-$(VERSION)/debian/changelog
	cd $(BUILD)/deb/vipfo-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning $(BUILD)/deb/*.changes

check-packages: deb selftests
	KVER=$(KVER) scripts/check-packages

dkms-install: dkms-src
	rm -rf $(DESTDIR)/usr/src/vipfo-$(VERSION)
	cp -r $(BUILD)/dkms/vipfo-$(VERSION) $(DESTDIR)/usr/src/
	dkms add vipfo/$(VERSION)
	dkms build vipfo/$(VERSION) -k $(KVER)
	dkms install vipfo/$(VERSION) -k $(KVER)

clean:
	$(MAKE) -C kmod KVER=$(KVER) KDIR=$(KDIR) clean
	rm -rf $(BUILD)

.PHONY: all module vipctl selftests deps check check-debug check-kselftest check-all-kernels demo bench bench-hosts man install \
	dkms-src dkms-install deb check-packages clean
