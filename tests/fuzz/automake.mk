# tests/fuzz/: libFuzzer targets for input from outside.
#
# "make check-fuzz" builds each target with clang ($(FUZZ_CC), found by
# configure) and runs it for FUZZ_SECONDS seconds over a scratch copy of
# its seed corpus; any crash, leak or sanitizer report fails it and leaves
# the input that caused it in tests/fuzz/ of the build tree.  It is not
# part of "make check".
#
#     make check-fuzz FUZZ_SECONDS=20

FUZZ_SECONDS = 60
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS = -I. -I$(srcdir) -I$(srcdir)/lib $(JSON_C_CFLAGS)

# The JSON-RPC target: the reader, messages, and what they link with.
FUZZ_JSONRPC_FILES = \
	tests/fuzz/fuzz-jsonrpc.c \
	lib/json-reader.c \
	lib/jsonrpc-msg.c \
	lib/dynamic-string.c \
	lib/util.c

# The transact target: the database engine and what it links with.
FUZZ_TRANSACT_FILES = \
	tests/fuzz/fuzz-transact.c \
	lib/db-condition.c \
	lib/db-data.c \
	lib/db-error.c \
	lib/db-execute.c \
	lib/db-mutation.c \
	lib/db-schema.c \
	lib/db-txn.c \
	lib/db-types.c \
	lib/db.c \
	lib/dirs.c \
	lib/dynamic-string.c \
	lib/hash.c \
	lib/hmap.c \
	lib/timeval.c \
	lib/utf8.c \
	lib/util.c \
	lib/uuid.c \
	lib/vlog.c

EXTRA_DIST += \
	tests/fuzz/fuzz-transact.c \
	tests/fuzz/fuzz-jsonrpc.c \
	tests/fuzz/jsonrpc.dict \
	tests/fuzz/transact.dict \
	tests/fuzz/corpus
CLEANFILES += \
	tests/fuzz/fuzz-jsonrpc \
	tests/fuzz/fuzz-jsonrpc.log \
	tests/fuzz/fuzz-transact \
	tests/fuzz/fuzz-transact.log \
	tests/fuzz/crash-* \
	tests/fuzz/leak-* \
	tests/fuzz/oom-* \
	tests/fuzz/slow-unit-* \
	tests/fuzz/timeout-*

# Fails, saying why, without clang.
FUZZ_NEED_CC = \
	if test -z "$(FUZZ_CC)"; then \
	  echo "check-fuzz needs clang: apt-get install clang" >&2; \
	  exit 1; \
	fi

tests/fuzz/fuzz-jsonrpc: $(FUZZ_JSONRPC_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_JSONRPC_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs $(JSON_C_LIBS)

tests/fuzz/fuzz-transact: $(FUZZ_TRANSACT_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_TRANSACT_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs $(JSON_C_LIBS) -lpthread

# Every target; the fragments of tests/*.mk add theirs.  A target is
# tests/fuzz/fuzz-NAME, with its seed corpus in tests/fuzz/corpus/NAME and,
# if there is one, its dictionary in tests/fuzz/NAME.dict.
FUZZ_TARGETS += tests/fuzz/fuzz-jsonrpc tests/fuzz/fuzz-transact

# Runs each fuzz-NAME target with corpus/NAME and NAME.dict.  The scratch
# copy of the corpus (which the run grows) is removed afterwards; crash
# inputs and the run's log stay in tests/fuzz/.
check-fuzz: $(FUZZ_TARGETS)
	@$(FUZZ_NEED_CC)
	@status=0; \
	SKIFF_FUZZ_SCHEMA=$(srcdir)/vswitchd/vswitch.schema.json; \
	export SKIFF_FUZZ_SCHEMA; \
	for target in $(FUZZ_TARGETS); do \
	  name=`echo $$target | sed 's,.*/fuzz-,,'`; \
	  dict=$(srcdir)/tests/fuzz/$$name.dict; \
	  if test -f $$dict; then dict=-dict=$$dict; else dict=; fi; \
	  scratch=tests/fuzz/corpus-$$name.tmp; \
	  rm -rf $$scratch && $(MKDIR_P) $$scratch && \
	  cp $(srcdir)/tests/fuzz/corpus/$$name/* $$scratch/ || exit 1; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) seconds"; \
	  if $$target -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	       -rss_limit_mb=2048 -print_final_stats=1 \
	       $$dict \
	       -artifact_prefix=tests/fuzz/ $$scratch \
	       >tests/fuzz/fuzz-$$name.log 2>&1; then \
	    tail -n 12 tests/fuzz/fuzz-$$name.log; \
	    echo "fuzz-$$name: no crash"; \
	  else \
	    tail -n 60 tests/fuzz/fuzz-$$name.log; \
	    echo "fuzz-$$name: FAILED (see tests/fuzz/fuzz-$$name.log)"; \
	    status=1; \
	  fi; \
	  rm -rf $$scratch; \
	done; \
	exit $$status
PHONY += check-fuzz
