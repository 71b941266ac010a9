# tests/fuzz/fuzz.mk - libFuzzer targets for every parser (DESIGN 5).
# Included from the Makefile. Needs clang with libFuzzer (Debian:
# libclang-rt-14-dev).
#
#   make fuzz                   # build all, run each FUZZ_SECONDS (30) on its corpus
#   make fuzz FUZZ_SECONDS=300  # longer
#   make fuzz-ci                # build all, 10 s each
#   make fuzz-build             # build only: $(FUZZ_B)/fuzz_<target>
#   make fuzz-xml               # one target (xml ini sigv4 jsonproto credjson stsxml
#                               #   dates json yaml jmespath argparse jsonshape
#                               #   credreport policydoc)
#
# Corpora live in tests/fuzz/corpus/<target>/ (the seeds, in git); what a
# run finds goes to $(FUZZ_B)/corpus/<target>/ so the tree stays clean.
# Crashes are written to $(FUZZ_B)/crashes/<target>/; minimise one with
# `$(FUZZ_B)/fuzz_<t> -minimize_crash=1 -runs=10000 FILE` and keep it in
# tests/fuzz/crashes/<target>/.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_B       ?= build-fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  ?= -O1 -g -fno-omit-frame-pointer
FUZZ_CORE_TARGETS := xml ini sigv4 jsonproto
FUZZ_LUA_TARGETS  := json yaml jmespath argparse jsonshape credreport policydoc
# Targets on file-local parsers: tests/fuzz/expose_<file>.c includes
# core/<file>.c and exports a wrapper (expose.h); FUZZ_X_<target> lists
# the files whose expose object replaces the core object in the link.
FUZZ_CRED_TARGETS := credjson stsxml dates
FUZZ_X_credjson   := creds_process creds_sso creds_container creds_imds
FUZZ_X_stsxml     := sts
FUZZ_X_dates      := session
FUZZ_TARGETS := $(FUZZ_CORE_TARGETS) $(FUZZ_CRED_TARGETS) $(FUZZ_LUA_TARGETS)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

FUZZ_CORE_SRC := $(sort $(wildcard core/*.c))
FUZZ_BIND_SRC := $(filter-out bindings/main.c,$(sort $(wildcard bindings/*.c)))
FUZZ_CORE_FLAGS = $(shell pkg-config --cflags libcurl libxml-2.0 libcrypto) -Icore -DUNITTESTS
FUZZ_CORE_LIBS  = $(shell pkg-config --libs libcurl libxml-2.0 libcrypto jansson) -lm
# The bindings need what the binary links (the Makefile's PKGS when this
# file is included from it).
FUZZ_LUA_PKGS   := $(or $(PKGS),lua5.4 jansson yaml-0.1 libcurl libxml-2.0 libcrypto)
FUZZ_LUA_FLAGS  = $(shell pkg-config --cflags $(FUZZ_LUA_PKGS)) \
                  -Ibindings -Icore -I$(B)/gen -DIAMLUA_VERSION='"fuzz"'
FUZZ_LUA_LIBS   = $(shell pkg-config --libs $(FUZZ_LUA_PKGS)) -lm
# -fsanitize=fuzzer only on the target (it brings main); the code under
# test gets fuzzer-no-link so it is instrumented for coverage.
FUZZ_LIB_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

$(FUZZ_B)/obj/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	@echo "  FCC   $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_SAN) -std=c11 -D_POSIX_C_SOURCE=200809L $(FUZZ_CORE_FLAGS) -c -o $@ $<

$(FUZZ_B)/obj/bindings/%.o: bindings/%.c
	@mkdir -p $(dir $@)
	@echo "  FCC   $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_SAN) -std=c11 -D_POSIX_C_SOURCE=200809L $(FUZZ_LUA_FLAGS) -c -o $@ $<

$(FUZZ_B)/obj/embedded.o: $(B)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Ibindings -c -o $@ $<

FUZZ_CORE_OBJ := $(FUZZ_CORE_SRC:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_BIND_OBJ := $(FUZZ_BIND_SRC:%.c=$(FUZZ_B)/obj/%.o) $(FUZZ_B)/obj/embedded.o

$(FUZZ_CORE_TARGETS:%=$(FUZZ_B)/fuzz_%): $(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE_OBJ)
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_CORE_FLAGS) -o $@ $^ $(FUZZ_CORE_LIBS)

$(FUZZ_LUA_TARGETS:%=$(FUZZ_B)/fuzz_%): $(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/lua_common.c \
		$(FUZZ_CORE_OBJ) $(FUZZ_BIND_OBJ)
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_LUA_FLAGS) -o $@ $^ $(FUZZ_LUA_LIBS)

$(FUZZ_B)/obj/expose_%.o: tests/fuzz/expose_%.c core/%.c tests/fuzz/expose.h
	@mkdir -p $(dir $@)
	@echo "  FCC   $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_SAN) -std=c11 -D_POSIX_C_SOURCE=200809L $(FUZZ_CORE_FLAGS) -c -o $@ $<

# $(1): a FUZZ_CRED_TARGETS name; its prerequisites, objects last.
FUZZ_X_DEPS = tests/fuzz/fuzz_$(1).c $(FUZZ_X_$(1):%=$(FUZZ_B)/obj/expose_%.o) \
	$(filter-out $(FUZZ_X_$(1):%=$(FUZZ_B)/obj/core/%.o),$(FUZZ_CORE_OBJ))
$(FUZZ_B)/fuzz_credjson: $(call FUZZ_X_DEPS,credjson)
$(FUZZ_B)/fuzz_stsxml: $(call FUZZ_X_DEPS,stsxml)
$(FUZZ_B)/fuzz_dates: $(call FUZZ_X_DEPS,dates)
$(FUZZ_CRED_TARGETS:%=$(FUZZ_B)/fuzz_%): tests/fuzz/expose.h
	@echo "  FUZZ  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_CORE_FLAGS) -Itests/fuzz -o $@ $(filter %.c %.o,$^) $(FUZZ_CORE_LIBS)

fuzz-build: $(FUZZ_BINS)

# One run: merge-free, corpus dir first (new inputs land there), seeds
# second (read only). -rss_limit_mb and -timeout catch blow-ups and hangs.
# The Lua targets keep one state whose objects outlive each input until
# the collector runs, so libFuzzer's per-input leak check (a full LSan
# scan whenever an input's mallocs outnumber its frees) ran on every input
# and took 95% of the time; for them leaks are found by LSan at exit,
# after lua_close has freed everything the state owned.
# Decided by the shell: in `make fuzz` the target name is a shell variable.
FUZZ_LEAKS = $$(case " $(FUZZ_LUA_TARGETS) " in *" $(1) "*) echo -detect_leaks=0;; esac)
FUZZ_RUN = mkdir -p $(FUZZ_B)/corpus/$(1) $(FUZZ_B)/crashes/$(1) && \
	$(FUZZ_B)/fuzz_$(1) -max_total_time=$(2) -timeout=10 -rss_limit_mb=2048 \
	    $(call FUZZ_LEAKS,$(1)) \
	    -artifact_prefix=$(FUZZ_B)/crashes/$(1)/ -print_final_stats=1 \
	    $(FUZZ_B)/corpus/$(1) tests/fuzz/corpus/$(1)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_B)/fuzz_%
	$(call FUZZ_RUN,$*,$(FUZZ_SECONDS))

# Every target runs even if one finds a crash; the recipe fails at the end.
fuzz: $(FUZZ_BINS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
	    echo "== fuzz $$t ($(FUZZ_SECONDS) s, log $(FUZZ_B)/fuzz_$$t.log)"; \
	    if ( $(call FUZZ_RUN,$$t,$(FUZZ_SECONDS)) ) >$(FUZZ_B)/fuzz_$$t.log 2>&1; then rc=0; else rc=1; fi; \
	    grep -E '(DONE|^Done|stat::number_of_executed_units|stat::peak_rss|==ERROR|^SUMMARY|^BUG:|Test unit written)' $(FUZZ_B)/fuzz_$$t.log; \
	    [ $$rc -eq 0 ] || { echo "!! fuzz $$t FAILED"; fail=1; }; \
	done; exit $$fail

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	@$(MAKE) --no-print-directory stress-sweep

.PHONY: fuzz fuzz-ci fuzz-build $(FUZZ_TARGETS:%=fuzz-%)
