# Tests of vswitchd/ (skiff-vswitchd's parts); see tests/automake.mk.

UNIT_TESTS += tests/unit/test-vsw-config
tests_unit_test_vsw_config_LDADD = vswitchd/libvswitchd.a $(LIBSKIFF) \
	$(CMOCKA_LIBS)
