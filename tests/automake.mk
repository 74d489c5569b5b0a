# tests/: unit tests (cmocka), integration scripts (real daemons), the test
# daemon, fuzz targets.  "make check" runs the unit and integration tests
# through tests/run-tests.sh, which ends with "N passed, N failed, N
# skipped".  "make check T=hmap" runs only the tests whose name has "hmap".

UNIT_LDADD = $(LIBSKIFF) $(CMOCKA_LIBS)
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_C_CFLAGS) $(CMOCKA_CFLAGS)

UNIT_TESTS = \
	tests/unit/test-control \
	tests/unit/test-daemon \
	tests/unit/test-db-condition \
	tests/unit/test-db-data \
	tests/unit/test-db-log \
	tests/unit/test-db-mutation \
	tests/unit/test-db-types \
	tests/unit/test-dirs \
	tests/unit/test-dynamic-string \
	tests/unit/test-hash \
	tests/unit/test-hmap \
	tests/unit/test-json-reader \
	tests/unit/test-jsonrpc \
	tests/unit/test-jsonrpc-msg \
	tests/unit/test-list \
	tests/unit/test-poll-loop \
	tests/unit/test-stream \
	tests/unit/test-util \
	tests/unit/test-uuid \
	tests/unit/test-vlog
check_PROGRAMS += $(UNIT_TESTS)

tests_unit_test_control_SOURCES = tests/unit/test-control.c tests/unit/unit.h
tests_unit_test_control_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_control_LDADD = $(UNIT_LDADD)
tests_unit_test_daemon_SOURCES = tests/unit/test-daemon.c tests/unit/unit.h
tests_unit_test_daemon_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_daemon_LDADD = $(UNIT_LDADD)
tests_unit_test_db_condition_SOURCES = \
	tests/unit/test-db-condition.c tests/unit/unit.h
tests_unit_test_db_condition_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_db_condition_LDADD = $(UNIT_LDADD)
tests_unit_test_db_data_SOURCES = tests/unit/test-db-data.c tests/unit/unit.h
tests_unit_test_db_data_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_db_data_LDADD = $(UNIT_LDADD)
tests_unit_test_db_log_SOURCES = tests/unit/test-db-log.c tests/unit/unit.h
tests_unit_test_db_log_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_db_log_LDADD = $(UNIT_LDADD)
tests_unit_test_db_mutation_SOURCES = \
	tests/unit/test-db-mutation.c tests/unit/unit.h
tests_unit_test_db_mutation_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_db_mutation_LDADD = $(UNIT_LDADD)
tests_unit_test_db_types_SOURCES = tests/unit/test-db-types.c tests/unit/unit.h
tests_unit_test_db_types_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_db_types_LDADD = $(UNIT_LDADD)
tests_unit_test_dirs_SOURCES = tests/unit/test-dirs.c tests/unit/unit.h
tests_unit_test_dirs_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_dirs_LDADD = $(UNIT_LDADD)
tests_unit_test_dynamic_string_SOURCES = \
	tests/unit/test-dynamic-string.c tests/unit/unit.h
tests_unit_test_dynamic_string_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_dynamic_string_LDADD = $(UNIT_LDADD)
tests_unit_test_hash_SOURCES = tests/unit/test-hash.c tests/unit/unit.h
tests_unit_test_hash_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_hash_LDADD = $(UNIT_LDADD)
tests_unit_test_hmap_SOURCES = tests/unit/test-hmap.c tests/unit/unit.h
tests_unit_test_hmap_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_hmap_LDADD = $(UNIT_LDADD)
tests_unit_test_json_reader_SOURCES = \
	tests/unit/test-json-reader.c tests/unit/unit.h
tests_unit_test_json_reader_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_json_reader_LDADD = $(UNIT_LDADD)
tests_unit_test_jsonrpc_SOURCES = tests/unit/test-jsonrpc.c tests/unit/unit.h
tests_unit_test_jsonrpc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_jsonrpc_LDADD = $(UNIT_LDADD)
tests_unit_test_jsonrpc_msg_SOURCES = \
	tests/unit/test-jsonrpc-msg.c tests/unit/unit.h
tests_unit_test_jsonrpc_msg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_jsonrpc_msg_LDADD = $(UNIT_LDADD)
tests_unit_test_list_SOURCES = tests/unit/test-list.c tests/unit/unit.h
tests_unit_test_list_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_list_LDADD = $(UNIT_LDADD)
tests_unit_test_poll_loop_SOURCES = \
	tests/unit/test-poll-loop.c tests/unit/unit.h
tests_unit_test_poll_loop_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_poll_loop_LDADD = $(UNIT_LDADD)
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c tests/unit/unit.h
tests_unit_test_stream_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_stream_LDADD = $(UNIT_LDADD)
tests_unit_test_util_SOURCES = tests/unit/test-util.c tests/unit/unit.h
tests_unit_test_util_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_util_LDADD = $(UNIT_LDADD)
tests_unit_test_uuid_SOURCES = tests/unit/test-uuid.c tests/unit/unit.h
tests_unit_test_uuid_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_uuid_LDADD = $(UNIT_LDADD)
tests_unit_test_vlog_SOURCES = tests/unit/test-vlog.c tests/unit/unit.h
tests_unit_test_vlog_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_vlog_LDADD = $(UNIT_LDADD)

# A small daemon with a control socket, driven by the integration tests.
check_PROGRAMS += tests/skiff-testd
tests_skiff_testd_SOURCES = tests/skiff-testd.c
tests_skiff_testd_LDADD = $(LIBSKIFF)

INTEGRATION_TESTS = \
	tests/integration/appctl.sh \
	tests/integration/daemon.sh \
	tests/integration/dbd.sh \
	tests/integration/tls.sh
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

include tests/fuzz/automake.mk
