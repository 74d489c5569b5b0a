# Tests of ofproto; see tests/automake.mk.

UNIT_TESTS += \
	tests/unit/test-classifier \
	tests/unit/test-mac-learning \
	tests/unit/test-ofproto-flows \
	tests/unit/test-vlan \
	tests/unit/test-xlate
tests_unit_test_classifier_LDADD = $(LIBOFPROTO) $(LIBSKIFF) $(CMOCKA_LIBS)
tests_unit_test_ofproto_flows_LDADD = $(LIBOFPROTO) $(LIBSKIFF) $(CMOCKA_LIBS)
tests_unit_test_mac_learning_LDADD = $(LIBOFPROTO) $(LIBSKIFF) $(CMOCKA_LIBS)
tests_unit_test_vlan_LDADD = $(LIBOFPROTO) $(LIBSKIFF) $(CMOCKA_LIBS)
tests_unit_test_xlate_LDADD = $(LIBOFPROTO) $(LIBSKIFF) $(CMOCKA_LIBS)

# The flow text syntax and skiff-ofctl (lib/match, ofp-actions, ofp-parse,
# ofp-wire).
UNIT_TESTS += \
	tests/unit/test-match \
	tests/unit/test-ofp-actions \
	tests/unit/test-ofp-parse \
	tests/unit/test-ofp-wire
INTEGRATION_TESTS += tests/integration/ofctl-cli.sh

# The flow text target: parse, format back, parse again, through the JSON
# of lib/ofp-wire.h.
FUZZ_OFP_PARSE_FILES = \
	tests/fuzz/fuzz-ofp-parse.c \
	lib/dynamic-string.c \
	lib/hash.c \
	lib/match.c \
	lib/ofp-actions.c \
	lib/ofp-parse.c \
	lib/ofp-wire.c \
	lib/util.c
EXTRA_DIST += \
	tests/fuzz/fuzz-ofp-parse.c \
	tests/fuzz/ofp-parse.dict
CLEANFILES += \
	tests/fuzz/fuzz-ofp-parse \
	tests/fuzz/fuzz-ofp-parse.log

tests/fuzz/fuzz-ofp-parse: $(FUZZ_OFP_PARSE_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_OFP_PARSE_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs $(JSON_C_LIBS)

FUZZ_TARGETS += tests/fuzz/fuzz-ofp-parse

# The slow path behind a control socket, for the integration tests.
check_PROGRAMS += tests/ofproto-testd
tests_ofproto_testd_SOURCES = tests/ofproto-testd.c
tests_ofproto_testd_LDADD = $(LIBOFPROTO) $(LIBSKIFF)
INTEGRATION_TESTS += \
	tests/integration/ofproto-fdb.sh \
	tests/integration/ofproto-ofctl.sh \
	tests/integration/ofproto-trace.sh
EXTRA_DIST += tests/integration/ofproto-lib.sh
