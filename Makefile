# iamlua - build, test, asan, valgrind, bench, install.
# `make` builds ./iamlua; `make test` runs every suite and ends with
# "N passed, M failed"; `make asan` runs the suite under ASan+UBSan.

PKGS      := lua5.4 libcurl libxml-2.0 libcrypto jansson yaml-0.1 libedit
CORE_PKGS := libcurl libxml-2.0 libcrypto jansson
# -Werror is for us, not for a user's build: a newer compiler's new
# warning must not stop it. CI (.ci/run exports WERROR=-Werror) and
# `make dev` turn it on.
WERROR ?=
WARN := -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wredundant-decls \
        -Wmissing-prototypes -Wstrict-prototypes -Wold-style-definition \
        $(WERROR)
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -MMD -MP
LDFLAGS ?=
B       ?= build

# pkg-config runs when a recipe first needs its answer, never while make
# reads this file: on a fresh machine `make test` and `make demo` run
# tools/setup.sh first, and a screen of "Package libcurl was not found"
# must not come before it. $(call pkg,ARGS) is that answer, asked once per
# make run: its first expansion runs pkg-config and keeps the result in a
# simply expanded variable (even an empty one), so the flags below, though
# recursive, do not fork pkg-config for every object.
empty   :=
space   := $(empty) $(empty)
pkg_var  = iamlua_pkg_$(subst $(space),_,$(strip $1))
pkg      = $(if $(filter undefined,$(origin $(pkg_var))),$(eval $(pkg_var) := $$(shell pkg-config $1)))$($(pkg_var))

# core/ is compiled without Lua's include flags, so `#include <lua.h>` in
# core fails to build instead of slipping through review.
CORE_CFLAGS = $(call pkg,--cflags $(CORE_PKGS)) -Icore
BIND_CFLAGS = $(call pkg,--cflags $(PKGS)) -Icore -Ibindings -I$(B)/gen
# Opened on first use (core/dynlib.c), not linked: libedit by the line
# editors (bindings/ledit.c), libyaml by YAML input (bindings/lyaml.c).
# Their headers still come from pkg-config.
DLOPENED    = libedit yaml-0.1
LIBS        = $(call pkg,--libs $(filter-out $(DLOPENED),$(PKGS))) -lm -ldl
# How ./iamlua links them: liblua and jansson from their static archives
# (Debian's -dev packages ship them): every shared library costs each
# start its mapping and a probe in each of ~11,000 symbol lookups
# (tests/bench/PROFILE.md).
# The Lua C API stays exported (mk/lua.dynlist) for C modules. STATIC=0
# links liblua and jansson as shared libraries.
STATIC ?= 1
ifeq ($(STATIC),1)
EXE_LIBS = -Wl,--dynamic-list=mk/lua.dynlist -Wl,-Bstatic -Wl,--whole-archive \
           -llua5.4 -Wl,--no-whole-archive -ljansson -Wl,-Bdynamic \
           $(filter-out -llua5.4 -ljansson,$(LIBS))
else
EXE_LIBS = $(LIBS)
endif

# A release tarball's VERSION file, else git describe (tools/version.sh).
VERSION := $(shell tools/version.sh)

CORE_SRC := $(sort $(wildcard core/*.c))
BIND_SRC := $(sort $(wildcard bindings/*.c))
SCRIPTS  := $(sort $(shell find scripts -name '*.lua'))
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
BIND_OBJ := $(BIND_SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

ifeq ($(V),1)
Q :=
else
Q := @
endif

all: iamlua

# Copied under a temporary name and renamed, so a rebuild never rewrites
# the file under a running test (which would die of SIGBUS).
iamlua: $(B)/iamlua
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

$(B)/iamlua: $(CORE_OBJ) $(BIND_OBJ) mk/lua.dynlist
	@echo "  LINK  $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(EXE_LIBS)

$(B)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) $(CORE_CFLAGS) -c -o $@ $<

$(B)/bindings/%.o: bindings/%.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) $(BIND_CFLAGS) -DIAMLUA_VERSION='"$(VERSION)"' -c -o $@ $<

# The shipped scripts, compiled into the binary as a sorted table.
$(B)/gen/embedded.c: $(SCRIPTS) tools/embed.lua
	@mkdir -p $(dir $@)
	@echo "  EMBED $@"
	$(Q)lua5.4 tools/embed.lua $@ $(SCRIPTS)

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -Ibindings -c -o $@ $<

# Core unit tests link the core objects only (no Lua), with UNITTEST
# functions made external.
$(B)/unit/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -DUNITTESTS $(CORE_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(CORE_SRC:core/%.c=$(B)/unit/%.o)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(CFLAGS) -DUNITTESTS $(CORE_CFLAGS) -Itests/unit \
	    $(call pkg,--cflags jansson) -o $@ $(filter %.c %.o,$^) \
	    $(call pkg,--libs $(CORE_PKGS) jansson) -lm

unit: $(UNIT_BIN)

# `make test` and `make demo` are the README's two set-up commands: each
# installs what is missing (tools/setup.sh), then builds in a fresh make so
# pkg-config sees the newly installed libraries.
test:
	@tools/setup.sh
	@$(MAKE) --no-print-directory iamlua unit
	@IAMLUA_BUILD=$(B) tests/run.sh

check: iamlua unit
	@IAMLUA_BUILD=$(B) tests/run.sh

asan:
	$(MAKE) B=build-asan CC=gcc \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/iamlua unit
	ASAN_OPTIONS=detect_leaks=1 IAMLUA_RSS_LIMIT_MB=1024 IAMLUA_BIN=build-asan/iamlua \
	    IAMLUA_BUILD=build-asan tests/run.sh

# The C and Lua suites under memcheck; the GC is stressed so that objects
# die early and a missing anchor shows up as an invalid read.
valgrind: iamlua unit
	SUITES="unit lua conformance" IAMLUA_BUILD=$(B) IAMLUA_GC_STRESS=1 \
	    WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1" \
	    tests/run.sh

setup:
	@tools/setup.sh

# The developer's build: warnings are errors, as in CI.
dev:
	@$(MAKE) --no-print-directory WERROR=-Werror iamlua unit

demo:
	@tools/setup.sh
	@$(MAKE) --no-print-directory iamlua
	@tools/demo.sh

clean:
	rm -rf build build-asan iamlua

.PHONY: all unit test check asan valgrind setup dev demo clean

include tests/fuzz/fuzz.mk
# Install, man page, completions, aws.so, packages (issue 8) and the
# benchmarks (issue 7) live beside what they build.
-include mk/install.mk
-include mk/allocfail.mk
-include tests/bench/bench.mk
-include mk/stress.mk

-include $(CORE_OBJ:.o=.d) $(BIND_OBJ:.o=.d) $(UNIT_BIN:=.d) $(CORE_SRC:core/%.c=$(B)/unit/%.d)
