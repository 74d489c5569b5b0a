# tests/bench/: "make bench" measures skiff-dbd side by side with Open
# vSwitch's ovsdb-server (package openvswitch-common) under the same load
# from the same client, tests/bench/db-load, and writes the results to
# docs/benchmarks.md in the source tree.  It is not part of "make check".
# Then tests/bench/vsctl-bench.sh times skiff-vsctl against skiff-dbd
# side by side with ovs-vsctl (package openvswitch-switch) against
# ovsdb-server, adding 1,000 ports one invocation at a time and in one
# chained invocation, and writes its own section of docs/benchmarks.md;
# without ovs-vsctl it is skipped, with a message.  Last,
# tests/bench/vmm-bench.sh boots the test guest with skiff-vmm side by
# side with qemu-system-x86_64 -M microvm (package qemu-system-x86; without
# it only skiff-vmm is measured, with a message), timing each with
# tests/bench/vmm-run, and writes its own section.
#
#     make bench                       5 rounds of each db test, 3 of vsctl
#     make bench BENCH_RUNS=3          fewer rounds of the db tests
#     make bench BENCH_VSCTL_RUNS=5    more rounds of the vsctl tests
#     make bench BENCH_VMM_RUNS=20     more boots of each VMM (default 10)

noinst_PROGRAMS += tests/bench/db-load
tests_bench_db_load_SOURCES = tests/bench/db-load.c
tests_bench_db_load_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_C_CFLAGS)
tests_bench_db_load_LDADD = $(LIBSKIFF)
noinst_PROGRAMS += tests/bench/vmm-run
tests_bench_vmm_run_SOURCES = tests/bench/vmm-run.c
tests_bench_vmm_run_LDADD = $(LIBSKIFF)

BENCH_RUNS = 5
BENCH_VSCTL_RUNS = 3
BENCH_VMM_RUNS = 10

EXTRA_DIST += tests/bench/db-bench.sh tests/bench/vsctl-bench.sh \
	tests/bench/lib.sh tests/bench/vmm-bench.sh \
	docs/benchmarks.md

bench: tests/bench/db-load vswitchd/skiff-dbd utilities/skiff-vsctl \
		tests/bench/vmm-run vmm/skiff-vmm \
		tests/guest/skiff-test-guest.img
	@for prog in ovsdb-server ovsdb-tool; do \
	  if ! command -v $$prog >/dev/null 2>&1; then \
	    echo "$$prog not found: install openvswitch-common" >&2; \
	    exit 1; \
	  fi; \
	done
	@srcdir='$(srcdir)' builddir='$(builddir)' BENCH_RUNS='$(BENCH_RUNS)' \
	  bash $(srcdir)/tests/bench/db-bench.sh
	@srcdir='$(srcdir)' builddir='$(builddir)' \
	  BENCH_VSCTL_RUNS='$(BENCH_VSCTL_RUNS)' \
	  bash $(srcdir)/tests/bench/vsctl-bench.sh
	@srcdir='$(srcdir)' builddir='$(builddir)' \
	  BENCH_VMM_RUNS='$(BENCH_VMM_RUNS)' \
	  bash $(srcdir)/tests/bench/vmm-bench.sh
PHONY += bench
