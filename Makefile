# jcfed: build, test, install. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
BUILD := build
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
PAMDIR ?= /usr/lib/$(MULTIARCH)/security
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= /usr/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PAMCONFIGDIR ?= /usr/share/pam-configs
JOBS ?= 2

# Debian packages the build and the tests need.
DEB_PACKAGES := libpam0g-dev libcurl4-openssl-dev libssl-dev libqrencode-dev valgrind \
	openssh-server openssh-client pamtester libpam-wrapper libnss-wrapper libpam-runtime \
	python3 python3-pip openssl procps time faketime \
	dpkg-dev lintian debootstrap zstd

# The module: release, Swift runtime linked statically, only pam_sm_* exported, -z nodelete:
# pam_end dlcloses the module, and an unloaded Swift image leaves dangling metadata in the runtime
# (measured: with a shared runtime the second pam_start/pam_authenticate/pam_end cycle in one process
# crashed in swift_getForeignTypeMetadata; statically linked, each reload leaked ~3 KB). With
# nodelete the image stays mapped and 200 cycles in one process keep RSS flat.
# What every process that loads it pays (bench/results.md, row 1) is kept down by:
# - not -z pack-relative-relocs: DT_RELR would save ~450 KB of RELATIVE entries read at every load,
#   but it makes the module need GLIBC_ABI_DT_RELR (glibc >= 2.36) and so keeps it off Ubuntu 22.04
#   (glibc 2.35); test_package.py checks that nothing built needs a glibc newer than 2.35;
# - libstdc++ linked statically: the Swift runtime uses a few of its functions, and loading the
#   shared library costs ~1 MB of RSS. -lstdc++ (from Swift's static-stdlib-args.lnk) finds
#   MODULE_LINK_DIR/libstdc++.so first, a linker script naming GCC's libstdc++.a; its symbols stay
#   local (--exclude-libs ALL, version script);
# - no libm: Sources/CMath defines the 107 libm functions the static standard library refers to:
#   the 8 that round to an integer exactly (jcfed_rounding.c: a login calls ceil and round), the
#   others resolved in libm.so.6 on first call (neither a not-federated decision nor a federated
#   login calls one); `-lm` (from Swift's
#   static-stdlib-args.lnk) finds MODULE_LINK_DIR/libm.a first, an empty archive, and
#   --no-undefined fails the link if the toolchain ever needs one more (add it to jcfed_libm.c);
# - libgcc linked statically (-static-libgcc: its unwinder, for the static runtime and libstdc++,
#   local like libstdc++'s): one library less to map and relocate (libgcc_s.so.1, ~0.1 MB of RSS);
# - Sources/CPAM/swift_argv.c: the Swift runtime's argv hook without its static initializer, which
#   read and sscanf'ed every line of /proc/self/maps at every load (~0.2 M instructions);
# - pam/pam_jcfed.order: the functions a login runs, placed together at the start of .text so a
#   login faults in fewer code pages (regenerate with `make symbol-order`, see bench/symbol_order.py);
#   pam/pam_jcfed.ld puts the functions that have no symbol to order by (the compiler's private
#   helpers, crtbeginS.o's) just before them.
MODULE_LINK_DIR := $(CURDIR)/.build-module/jcfed-link
LIBSTDCXX_A := $(shell cc -print-file-name=libstdc++.a 2>/dev/null)
MODULE_FLAGS := -c release --disable-local-rpath --scratch-path .build-module -j $(JOBS) \
	-Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
	-Xlinker --version-script=$(CURDIR)/pam/pam_jcfed.map -Xlinker --no-undefined \
	-Xlinker -z -Xlinker now -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker nodelete \
	-Xlinker -L$(MODULE_LINK_DIR) \
	-Xlinker --symbol-ordering-file=$(CURDIR)/pam/pam_jcfed.order -Xlinker --no-warn-symbol-ordering \
	-Xlinker -T -Xlinker $(CURDIR)/pam/pam_jcfed.ld \
	-Xswiftc -Xclang-linker -Xswiftc -static-libgcc
# The same module with AddressSanitizer in every Swift target (make asan; test_memory.py loads it
# with the ASan runtime in LD_PRELOAD, so no --no-undefined: the __asan_* symbols come from there).
ASAN_FLAGS := -c debug --disable-local-rpath --scratch-path .build-asan -j $(JOBS) \
	-Xswiftc -sanitize=address -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
	-Xlinker --version-script=$(CURDIR)/pam/pam_jcfed.map \
	-Xlinker -z -Xlinker now -Xlinker -z -Xlinker nodelete
TOOL_FLAGS := -c release --disable-local-rpath --scratch-path .build-tool -j $(JOBS) -Xswiftc -static-stdlib

.PHONY: demo-notice self-contained all module tool harness completions emulator asan deps deb install uninstall test unit-test integration-test demo bench fleet-sim fleet-sim-quick symbol-order fuzz soak clean

all: module tool harness

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages; run as root: apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@$(PYTHON) -c 'import pytest, pexpect' 2>/dev/null || $(PYTHON) -m pip install -q pytest pexpect || \
	  { echo "pytest is missing: $(PYTHON) -m pip install pytest"; exit 1; }

# The module is two files (pam/front/pam_jcfed_front.c says why): build/pam_jcfed.so, the front
# libpam loads (C, libc and libpam only, built with the same hardening, exports and -z flags), and
# build/pam_jcfed_core.so beside it, the Swift core the front loads when a stage needs it (itself
# a complete module with the same six entry points).
FRONT_FLAGS := -O2 -Wall -Wextra -Werror -fPIC -shared -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	-Wl,--version-script=$(CURDIR)/pam/pam_jcfed.map -Wl,--no-undefined \
	-Wl,-z,now -Wl,-z,relro -Wl,-z,nodelete -Wl,-z,noexecstack
module: $(BUILD)/pam_jcfed.so $(BUILD)/pam_jcfed_core.so
$(BUILD)/pam_jcfed.so: pam/front/pam_jcfed_front.c pam/pam_jcfed.map
	@mkdir -p $(BUILD)
	cc $(FRONT_FLAGS) -o $@ pam/front/pam_jcfed_front.c -lpam
	strip --strip-unneeded $@
	chmod 0644 $@

$(BUILD)/pam_jcfed_core.so: FORCE
	@mkdir -p $(BUILD) $(MODULE_LINK_DIR)
	@case "$(LIBSTDCXX_A)" in /*) echo "INPUT($(LIBSTDCXX_A))" > $(MODULE_LINK_DIR)/libstdc++.so ;; \
	  *) echo "libstdc++.a not found: linking libstdc++ dynamically"; rm -f $(MODULE_LINK_DIR)/libstdc++.so ;; esac
	@printf '!<arch>\n' > $(MODULE_LINK_DIR)/libm.a
	@# SwiftPM does not see files named by linker flags: relink when one of them changed.
	@for f in pam/pam_jcfed.map pam/pam_jcfed.order pam/pam_jcfed.ld; do \
	  [ $$f -nt .build-module/release/libpam_jcfed.so ] && rm -f .build-module/release/libpam_jcfed.so; true; done
	$(SWIFT) build $(MODULE_FLAGS) --product pam_jcfed
	install -m 0644 .build-module/release/libpam_jcfed.so $@
	strip --strip-unneeded $@

tool: $(BUILD)/jcfed
$(BUILD)/jcfed: FORCE
	@mkdir -p $(BUILD)
	$(SWIFT) build $(TOOL_FLAGS) --product jcfed
	install -m 0755 .build-tool/release/jcfed $@

# A tiny C driver for real-libpam tests: pam_start_confdir + scripted conversation.
harness: $(BUILD)/pamrun
$(BUILD)/pamrun: Tests/harness/pamrun.c
	@mkdir -p $(BUILD)
	cc -O2 -Wall -Wextra -o $@ $< -lpam

asan: $(BUILD)/pam_jcfed-asan.so
$(BUILD)/pam_jcfed-asan.so: FORCE
	@mkdir -p $(BUILD)
	$(SWIFT) build $(ASAN_FLAGS) --product pam_jcfed
	install -m 0644 .build-asan/debug/libpam_jcfed.so $@

emulator: $(BUILD)/jcfed-entra-emulator
$(BUILD)/jcfed-entra-emulator: FORCE
	@mkdir -p $(BUILD)
	@# swift-nio-ssl's BoringSSL makes the first build long: say so, so nobody thinks it hung.
	@[ -x emulator/.build/debug/jcfed-entra-emulator ] || \
	  echo "First run builds the Entra emulator (swift-nio-ssl, Hummingbird): about 5 minutes on 2 cores."
	cd emulator && $(SWIFT) build -j $(JOBS) --product jcfed-entra-emulator
	install -m 0755 emulator/.build/debug/jcfed-entra-emulator $@

FORCE:

# build/jcfed_<version>-<revision>_<arch>.deb (packaging/deb/build.sh); VERSION=x.y.z overrides the
# version of Sources/JCFedCore/Version.swift, DEB_REVISION the Debian revision (default 1).
deb: module tool
	VERSION=$(VERSION) DEB_REVISION=$(DEB_REVISION) bash packaging/deb/build.sh $(BUILD)

# Shell completion for jcfed, generated by swift-argument-parser from the built tool.
completions: $(BUILD)/completions/jcfed $(BUILD)/completions/_jcfed
$(BUILD)/completions/jcfed: $(BUILD)/jcfed
	@mkdir -p $(BUILD)/completions
	$(BUILD)/jcfed --generate-completion-script bash > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/_jcfed: $(BUILD)/jcfed
	@mkdir -p $(BUILD)/completions
	$(BUILD)/jcfed --generate-completion-script zsh > $@.tmp && mv $@.tmp $@

install: all completions
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(PAMCONFIGDIR) $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	install -m 0644 $(BUILD)/completions/jcfed $(DESTDIR)$(PREFIX)/share/bash-completion/completions/jcfed
	install -m 0644 $(BUILD)/completions/_jcfed $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_jcfed
	install -m 0644 $(BUILD)/pam_jcfed.so $(DESTDIR)$(PAMDIR)/pam_jcfed.so
	install -m 0644 $(BUILD)/pam_jcfed_core.so $(DESTDIR)$(PAMDIR)/pam_jcfed_core.so
	install -m 0755 $(BUILD)/jcfed $(DESTDIR)$(SBINDIR)/jcfed
	install -m 0644 man/pam_jcfed.8 man/jcfed.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/jcfed.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 pam/pam-configs/jcfed $(DESTDIR)$(PAMCONFIGDIR)/jcfed
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/jcfed
	@# Never overwrite an admin's configuration.
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf ]; then \
	  install -m 0644 pam/jcfed.conf.example $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf; \
	  echo "installed $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf"; \
	else echo "kept existing $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf"; fi
	@echo "The PAM profile is installed but NOT enabled: run 'jcfed enable' (or pam-auth-update)."

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_jcfed.so $(DESTDIR)$(PAMDIR)/pam_jcfed_core.so $(DESTDIR)$(SBINDIR)/jcfed \
	  $(DESTDIR)$(MANDIR)/man8/pam_jcfed.8 $(DESTDIR)$(MANDIR)/man8/jcfed.8 $(DESTDIR)$(MANDIR)/man5/jcfed.conf.5 \
	  $(DESTDIR)$(PAMCONFIGDIR)/jcfed $(DESTDIR)$(PREFIX)/share/bash-completion/completions/jcfed \
	  $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_jcfed
	@# The configuration is the admin's: removed only when it is still the untouched example.
	@if [ -f $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf ] && cmp -s pam/jcfed.conf.example $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/jcfed/jcfed.conf; rmdir $(DESTDIR)$(SYSCONFDIR)/jcfed 2>/dev/null || true; fi

unit-test:
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build

integration-test: all emulator asan $(BUILD)/jcfed-bench $(BUILD)/jcfed-fleet-sim $(BUILD)/pam_swift_floor.so
	$(PYTHON) -m pytest -q -p no:cacheprovider Tests/integration

# Nothing in the repository may need or cite a folder outside it (a user's clone has nothing beside it);
# the core imports no libc, Foundation or C shim (check-core-imports.sh).
self-contained:
	bash Tests/repo/check-self-contained.sh
	bash Tests/repo/check-core-imports.sh

test: deps
	$(MAKE) self-contained
	$(MAKE) unit-test
	$(MAKE) integration-test

demo: deps demo-notice all emulator
	$(PYTHON) Tests/integration/demo.py

demo-notice:
	@[ -x emulator/.build/debug/jcfed-entra-emulator ] || \
	  echo "make demo: the first run builds the module, the tool and the Entra emulator (about 5 minutes for the emulator alone on 2 cores)."

# build/jcfed-bench: ID-token validation throughput (bench row 4); built like the tool, not installed.
$(BUILD)/jcfed-bench: FORCE
	@mkdir -p $(BUILD)
	$(SWIFT) build $(TOOL_FLAGS) --product jcfed-bench
	install -m 0755 .build-tool/release/jcfed-bench $@

# build/jcfed-fleet-sim: N devices on a simulated clock through the real scheduling, retry, cache
# and device-flow code (docs/fleet.md). `make fleet-sim` runs 100,000 devices (a few minutes);
# the quick mode (1,000) runs in `make test` (Tests/integration/test_fleet_sim.py).
$(BUILD)/jcfed-fleet-sim: FORCE
	@mkdir -p $(BUILD)
	$(SWIFT) build $(TOOL_FLAGS) --product jcfed-fleet-sim
	install -m 0755 .build-tool/release/jcfed-fleet-sim $@

FLEET_DEVICES ?= 100000
fleet-sim: $(BUILD)/jcfed-fleet-sim
	$(BUILD)/jcfed-fleet-sim --devices $(FLEET_DEVICES)

fleet-sim-quick: $(BUILD)/jcfed-fleet-sim
	$(BUILD)/jcfed-fleet-sim --quick

# build/pam_swift_floor.so: the smallest Swift PAM module, linked exactly as the module is (after it:
# the link folder the module's rule prepares), for bench row 1's floor; not installed.
$(BUILD)/pam_swift_floor.so: $(BUILD)/pam_jcfed_core.so
	$(SWIFT) build $(MODULE_FLAGS) --product pam_swift_floor
	install -m 0644 .build-module/release/libpam_swift_floor.so $@
	strip --strip-unneeded $@

bench: all emulator $(BUILD)/jcfed-bench $(BUILD)/pam_swift_floor.so
	$(PYTHON) bench/bench.py

# Regenerates pam/pam_jcfed.order from a callgrind profile of a login (see bench/symbol_order.py).
symbol-order: module harness emulator
	$(PYTHON) bench/symbol_order.py

fuzz:
	bash Tests/fuzz/run.sh $${FUZZ_SECONDS:-300}

# Longer memory and load runs (see test_memory.py and test_load.py for what JCFED_SOAK changes).
soak: all emulator asan
	JCFED_SOAK=1 $(PYTHON) -m pytest -q -p no:cacheprovider Tests/integration/test_memory.py Tests/integration/test_load.py

clean:
	rm -rf $(BUILD) .build .build-module .build-tool .build-asan emulator/.build
