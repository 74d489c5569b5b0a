# Tests of datapath; see tests/automake.mk.

# dp-fast: the caches and the executor (cmocka, linked with DPDK).
DP_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/datapath $(DPDK_CFLAGS)
DP_UNIT_LDADD = $(LIBDATAPATH) $(LIBSKIFF) $(DPDK_LIBS) $(CMOCKA_LIBS)
UNIT_TESTS += \
	tests/unit/test-dp-cls \
	tests/unit/test-dp-emc \
	tests/unit/test-dp-execute \
	tests/unit/test-dp-meter
tests_unit_test_dp_cls_CPPFLAGS = $(DP_UNIT_CPPFLAGS)
tests_unit_test_dp_cls_LDADD = $(DP_UNIT_LDADD)
tests_unit_test_dp_emc_CPPFLAGS = $(DP_UNIT_CPPFLAGS)
tests_unit_test_dp_emc_LDADD = $(DP_UNIT_LDADD)
tests_unit_test_dp_execute_CPPFLAGS = $(DP_UNIT_CPPFLAGS)
tests_unit_test_dp_execute_LDADD = $(DP_UNIT_LDADD)
tests_unit_test_dp_meter_CPPFLAGS = $(DP_UNIT_CPPFLAGS)
tests_unit_test_dp_meter_LDADD = $(DP_UNIT_LDADD)
EXTRA_DIST += tests/unit/dp-eal.h

# dp-core: the test daemon (the datapath with a tiny slow path), the pcap
# tool, and the integration tests (real DPDK, pcap files, veth pairs in
# network namespaces, dpdk-testpmd as a vhost-user peer).
check_PROGRAMS += tests/dp-testd tests/pcap-tool
tests_dp_testd_SOURCES = tests/dp-testd.c
tests_dp_testd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/datapath \
	$(DPDK_CFLAGS)
tests_dp_testd_LDADD = $(LIBDATAPATH) $(LIBSKIFF) $(DPDK_LIBS)
tests_pcap_tool_SOURCES = tests/pcap-tool.c
tests_pcap_tool_CPPFLAGS = $(AM_CPPFLAGS) $(PCAP_CFLAGS)
tests_pcap_tool_LDADD = $(PCAP_LIBS)
INTEGRATION_TESTS += \
	tests/integration/dp-limits.sh \
	tests/integration/dp-pcap.sh \
	tests/integration/dp-system.sh \
	tests/integration/dp-vhost.sh
