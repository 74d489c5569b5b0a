# lib/: what every daemon and tool links with.

noinst_LIBRARIES += lib/libskiff.a

lib_libskiff_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
lib_libskiff_a_SOURCES = \
	lib/control-client.c \
	lib/control-client.h \
	lib/control.c \
	lib/control.h \
	lib/cpu-mask.c \
	lib/cpu-mask.h \
	lib/csum.c \
	lib/csum.h \
	lib/daemon.c \
	lib/daemon.h \
	lib/db-condition.c \
	lib/db-condition.h \
	lib/db-data.c \
	lib/db-data.h \
	lib/db-error.c \
	lib/db-error.h \
	lib/db-execute.c \
	lib/db-execute.h \
	lib/db-file.c \
	lib/db-file.h \
	lib/db-idl.c \
	lib/db-idl.h \
	lib/db-log.c \
	lib/db-log.h \
	lib/db-monitor.c \
	lib/db-monitor.h \
	lib/db-mutation.c \
	lib/db-mutation.h \
	lib/db-schema.c \
	lib/db-schema.h \
	lib/db-server.c \
	lib/db-server.h \
	lib/db-txn.c \
	lib/db-txn.h \
	lib/db-types.c \
	lib/db-types.h \
	lib/db.c \
	lib/db.h \
	lib/dirs.c \
	lib/dirs.h \
	lib/dp-actions.c \
	lib/dp-actions.h \
	lib/dynamic-string.c \
	lib/dynamic-string.h \
	lib/flow-format.c \
	lib/flow.c \
	lib/flow.h \
	lib/hash.c \
	lib/hash.h \
	lib/hmap.c \
	lib/hmap.h \
	lib/json-reader.c \
	lib/json-reader.h \
	lib/jsonrpc-msg.c \
	lib/jsonrpc-msg.h \
	lib/jsonrpc-session.c \
	lib/jsonrpc-session.h \
	lib/jsonrpc.c \
	lib/jsonrpc.h \
	lib/list.h \
	lib/match.c \
	lib/match.h \
	lib/ofp-actions.c \
	lib/ofp-actions.h \
	lib/ofp-parse.c \
	lib/ofp-parse.h \
	lib/ofp-wire.c \
	lib/ofp-wire.h \
	lib/packets.h \
	lib/poll-loop.c \
	lib/poll-loop.h \
	lib/smap.c \
	lib/smap.h \
	lib/socket-util.c \
	lib/socket-util.h \
	lib/stream-fd.c \
	lib/stream-fd.h \
	lib/stream-provider.h \
	lib/stream-ssl.c \
	lib/stream-ssl.h \
	lib/stream-tcp.c \
	lib/stream-tcp.h \
	lib/stream-unix.c \
	lib/stream.c \
	lib/stream.h \
	lib/timer.h \
	lib/timeval.c \
	lib/timeval.h \
	lib/unaligned-le.h \
	lib/utf8.c \
	lib/utf8.h \
	lib/util.c \
	lib/util.h \
	lib/uuid.c \
	lib/uuid.h \
	lib/vlog.c \
	lib/vlog.h

# What a program needs to link with lib/libskiff.a.
LIBSKIFF = lib/libskiff.a $(JSON_C_LIBS) $(OPENSSL_LIBS) -lpthread
