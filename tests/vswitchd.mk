# Tests of vswitchd/ (skiff-vswitchd's parts), skiff-ctl and the main job;
# see tests/automake.mk.

UNIT_TESTS += tests/unit/test-vsw-config
tests_unit_test_vsw_config_LDADD = vswitchd/libvswitchd.a $(LIBOFPROTO) \
	$(LIBSKIFF) $(CMOCKA_LIBS)

INTEGRATION_TESTS += \
	tests/integration/vmm-switch.sh \
	tests/integration/vswitchd-vhost.sh \
	tests/integration/vswitchd.sh \
	tests/integration/vswitchd-stats.sh

INTEGRATION_TESTS += tests/integration/skiff-ctl.sh

INTEGRATION_TESTS += tests/integration/demo.sh

INTEGRATION_TESTS += tests/integration/vlan-pcap.sh
