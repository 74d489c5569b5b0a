# lib/: what every daemon and tool links with.

noinst_LIBRARIES += lib/libskiff.a

lib_libskiff_a_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_C_CFLAGS) $(OPENSSL_CFLAGS)
lib_libskiff_a_SOURCES = \
	lib/control.c \
	lib/control.h \
	lib/control-client.c \
	lib/control-client.h \
	lib/daemon.c \
	lib/daemon.h \
	lib/dirs.c \
	lib/dirs.h \
	lib/dynamic-string.c \
	lib/dynamic-string.h \
	lib/hash.c \
	lib/hash.h \
	lib/hmap.c \
	lib/hmap.h \
	lib/json-reader.c \
	lib/json-reader.h \
	lib/jsonrpc.c \
	lib/jsonrpc.h \
	lib/jsonrpc-msg.c \
	lib/jsonrpc-msg.h \
	lib/list.h \
	lib/poll-loop.c \
	lib/poll-loop.h \
	lib/socket-util.c \
	lib/socket-util.h \
	lib/stream.c \
	lib/stream.h \
	lib/stream-fd.c \
	lib/stream-fd.h \
	lib/stream-provider.h \
	lib/stream-ssl.c \
	lib/stream-ssl.h \
	lib/stream-tcp.c \
	lib/stream-tcp.h \
	lib/stream-unix.c \
	lib/timer.h \
	lib/timeval.c \
	lib/timeval.h \
	lib/util.c \
	lib/util.h \
	lib/vlog.c \
	lib/vlog.h

# What a program needs to link with lib/libskiff.a.
LIBSKIFF = lib/libskiff.a $(JSON_C_LIBS) $(OPENSSL_LIBS) -lpthread
