# The allocation-failure driver (tests/unit/test_allocfail.c) links the core
# objects with malloc, calloc, realloc, free, strdup and strndup redirected
# to its counting hooks (-Wl,--wrap), so it can fail the Nth allocation the
# core makes. This explicit rule replaces the generic $(B)/tests/% one for
# that binary only; without it the binary builds but skips.
comma := ,
ALLOCFAIL_WRAP := $(addprefix -Wl$(comma)--wrap=,malloc calloc realloc free strdup strndup)

$(B)/tests/test_allocfail: tests/unit/test_allocfail.c $(CORE_SRC:core/%.c=$(B)/unit/%.o)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(CFLAGS) -DUNITTESTS $(CORE_CFLAGS) -Itests/unit -pthread \
	    -o $@ $(filter %.c %.o,$^) $(LDFLAGS) $(ALLOCFAIL_WRAP) \
	    $(call pkg,--libs $(CORE_PKGS)) -lm
