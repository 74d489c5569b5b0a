# tests/: unit tests (cmocka), integration scripts (real daemons), the test
# daemon, fuzz targets.  "make check" runs the unit and integration tests
# through tests/run-tests.sh, which ends with "N passed, N failed, N
# skipped".  "make check T=hmap" runs only the tests whose name has "hmap".

# Each unit test is one program built from tests/unit/NAME.c (automake's
# default source) and linked with LDADD, the default for programs that
# name no _LDADD of their own: every other program names its own.
LDADD = $(LIBSKIFF) $(CMOCKA_LIBS)

UNIT_TESTS = \
	tests/unit/test-control \
	tests/unit/test-daemon \
	tests/unit/test-db-condition \
	tests/unit/test-db-data \
	tests/unit/test-db-execute \
	tests/unit/test-db-file \
	tests/unit/test-db-idl \
	tests/unit/test-db-log \
	tests/unit/test-db-monitor \
	tests/unit/test-db-mutation \
	tests/unit/test-db-schema \
	tests/unit/test-db-server \
	tests/unit/test-db-txn \
	tests/unit/test-db-types \
	tests/unit/test-dirs \
	tests/unit/test-dynamic-string \
	tests/unit/test-hash \
	tests/unit/test-hmap \
	tests/unit/test-json-reader \
	tests/unit/test-jsonrpc \
	tests/unit/test-jsonrpc-msg \
	tests/unit/test-jsonrpc-session \
	tests/unit/test-list \
	tests/unit/test-poll-loop \
	tests/unit/test-smap \
	tests/unit/test-stream \
	tests/unit/test-utf8 \
	tests/unit/test-util \
	tests/unit/test-uuid \
	tests/unit/test-vlog
check_PROGRAMS += $(UNIT_TESTS)
EXTRA_DIST += tests/unit/unit.h

# A small daemon with a control socket, driven by the integration tests.
check_PROGRAMS += tests/skiff-testd
tests_skiff_testd_SOURCES = tests/skiff-testd.c
tests_skiff_testd_LDADD = $(LIBSKIFF)

INTEGRATION_TESTS = \
	tests/integration/appctl.sh \
	tests/integration/daemon.sh \
	tests/integration/dbd.sh \
	tests/integration/tls.sh \
	tests/integration/vsctl-bridge.sh \
	tests/integration/vsctl-completion.sh \
	tests/integration/vsctl-generic.sh
EXTRA_DIST += \
	$(INTEGRATION_TESTS) \
	tests/integration/lib.sh \
	tests/run-tests.sh

check-local: all $(check_PROGRAMS)
	@srcdir='$(srcdir)' builddir='$(builddir)' T='$(T)' \
	  $(SHELL) $(srcdir)/tests/run-tests.sh $(UNIT_TESTS) $(INTEGRATION_TESTS)

clean-local: clean-tests
clean-tests:
	rm -rf tests/logs
PHONY += clean-tests

FUZZ_TARGETS =
include tests/fuzz/automake.mk
include tests/bench/automake.mk

# Each area's tests: unit tests (UNIT_TESTS +=), integration scripts
# (INTEGRATION_TESTS +=), fuzz targets (FUZZ_TARGETS +=).
include tests/flow.mk
include tests/datapath.mk
include tests/ofproto.mk
include tests/vmm.mk
include tests/vswitchd.mk
