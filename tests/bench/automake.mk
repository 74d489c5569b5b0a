# tests/bench/: "make bench" measures skiff-dbd side by side with Open
# vSwitch's ovsdb-server (package openvswitch-common) under the same load
# from the same client, tests/bench/db-load, and writes the results to
# docs/benchmarks.md in the source tree.  It is not part of "make check".
#
#     make bench                       5 rounds of each test
#     make bench BENCH_RUNS=3          fewer rounds

noinst_PROGRAMS += tests/bench/db-load
tests_bench_db_load_SOURCES = tests/bench/db-load.c
tests_bench_db_load_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_C_CFLAGS)
tests_bench_db_load_LDADD = $(LIBSKIFF)

BENCH_RUNS = 5

EXTRA_DIST += tests/bench/db-bench.sh docs/benchmarks.md

bench: tests/bench/db-load vswitchd/skiff-dbd
	@for prog in ovsdb-server ovsdb-tool; do \
	  if ! command -v $$prog >/dev/null 2>&1; then \
	    echo "$$prog not found: install openvswitch-common" >&2; \
	    exit 1; \
	  fi; \
	done
	@srcdir='$(srcdir)' builddir='$(builddir)' BENCH_RUNS='$(BENCH_RUNS)' \
	  bash $(srcdir)/tests/bench/db-bench.sh
PHONY += bench
