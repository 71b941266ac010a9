# bench.mk: `make bench` (issue 7; DESIGN.md section 4). Included by the
# Makefile, so $(B), $(CC), $(PKGS) and $(EXE_LIBS) are iamlua's own.
#
#   make bench                 the full run (under ten minutes on 2 cores)
#   make bench BENCH_ARGS=--quick    a short run that checks the harness
#
# The table goes to stdout and tests/bench/out/latest.md.

BENCH_DEBS  := nginx-light hyperfine wrk time curl awscli util-linux openssl
BENCH_FLOOR := $(B)/bench/floor

# The floor links exactly as iamlua does (EXE_LIBS: liblua and jansson
# static, the rest shared); --no-as-needed keeps every shared library even
# though floor.c only takes one address from each.
$(BENCH_FLOOR): tests/bench/floor.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) -O2 -g -std=c11 -Wall -Wextra -Werror $(call pkg,--cflags $(PKGS)) \
	    -o $@ $< -Wl,--no-as-needed $(EXE_LIBS)

bench-deps:
	@missing=""; for p in $(BENCH_DEBS); do \
	    dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || \
	        missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "bench: installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	python3 -c 'import boto3, botocore' 2>/dev/null || { \
	    echo "bench: installing boto3 with pip"; \
	    python3 -m pip install --quiet boto3 || \
	        python3 -m pip install --quiet --break-system-packages boto3; }; \
	command -v moto_server >/dev/null 2>&1 || { \
	    echo "bench: installing moto[server] with pip"; \
	    python3 -m pip install --quiet "moto[server]" || \
	        python3 -m pip install --quiet --break-system-packages "moto[server]"; }

bench: bench-deps iamlua $(BENCH_FLOOR)
	@python3 tests/bench/run.py --iamlua ./iamlua --floor $(BENCH_FLOOR) $(BENCH_ARGS)

.PHONY: bench bench-deps
