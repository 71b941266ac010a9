# The randomised scheduler stress target (tests/e2e/test_stress.py, issue
# 17). `make test` runs a few seeds (and `make asan` the same under the
# sanitizers); `make stress-sweep` runs a longer sweep on the sanitizer
# build, as part of `make fuzz-ci`.
STRESS_SEEDS  ?= 150
STRESS_SIGINT ?= 30
STRESS_FIRST  ?= 1000

ASAN_FLAGS = B=build-asan CC=gcc \
    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    LDFLAGS="-fsanitize=address,undefined"

stress-sweep:
	@$(MAKE) --no-print-directory $(ASAN_FLAGS) build-asan/iamlua
	@ASAN_OPTIONS=detect_leaks=1 IAMLUA_BIN=build-asan/iamlua \
	    IAMLUA_STRESS_SEEDS=$(STRESS_SEEDS) IAMLUA_STRESS_SIGINT=$(STRESS_SIGINT) \
	    IAMLUA_STRESS_FIRST=$(STRESS_FIRST) python3 tests/e2e/test_stress.py > build-asan/stress-sweep.log 2>&1; \
	    rc=$$?; grep -E '^not ok' build-asan/stress-sweep.log | head -20; \
	    echo "stress-sweep: $$(tail -1 build-asan/stress-sweep.log) (seeds $(STRESS_FIRST)..)"; exit $$rc

.PHONY: stress-sweep
