# Tests of flow; see tests/automake.mk.
#
# lib/flow (the packet parser, keys and masks, flow_format()), lib/csum and
# lib/dp-actions: unit tests and two fuzz targets.

UNIT_TESTS += \
	tests/unit/test-csum \
	tests/unit/test-dp-actions \
	tests/unit/test-flow

# The flow target: the parser and flow_format().
FUZZ_FLOW_FILES = \
	tests/fuzz/fuzz-flow.c \
	lib/dynamic-string.c \
	lib/flow-format.c \
	lib/flow.c \
	lib/util.c

# The dp-actions target: validate, format, parse back.
FUZZ_DP_ACTIONS_FILES = \
	tests/fuzz/fuzz-dp-actions.c \
	lib/dp-actions.c \
	lib/dynamic-string.c \
	lib/util.c

EXTRA_DIST += \
	tests/fuzz/fuzz-dp-actions.c \
	tests/fuzz/fuzz-flow.c
CLEANFILES += \
	tests/fuzz/fuzz-dp-actions \
	tests/fuzz/fuzz-dp-actions.log \
	tests/fuzz/fuzz-flow \
	tests/fuzz/fuzz-flow.log

tests/fuzz/fuzz-flow: $(FUZZ_FLOW_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_FLOW_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs

tests/fuzz/fuzz-dp-actions: $(FUZZ_DP_ACTIONS_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_DP_ACTIONS_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs

FUZZ_TARGETS += tests/fuzz/fuzz-flow tests/fuzz/fuzz-dp-actions
